"""Per-partition acknowledgement tracking: commit only the contiguous acknowledged prefix.

An alert may wait on several deliveries (one per matched receiver); its offset is acknowledged
when the last of them has succeeded or been dead-lettered. The committable offset is the lowest
offset still waiting, or one past the highest offset seen when nothing waits.
"""

from __future__ import annotations


class OffsetTracker:
    """Offsets of one partition, tracked in the increasing order they were consumed."""

    def __init__(self) -> None:
        self._waiting: dict[int, int] = {}  # insertion-ordered: the first key is the lowest
        self._next: int | None = None

    def track(self, offset: int, waits: int) -> None:
        """Record a consumed offset that waits on ``waits`` acknowledgements (0: done already)."""
        if self._next is not None and offset < self._next:
            raise ValueError(f"offset {offset} tracked after {self._next - 1}")
        self._next = offset + 1
        if waits > 0:
            self._waiting[offset] = waits

    def ack(self, offset: int) -> None:
        remaining = self._waiting.get(offset)
        if remaining is None:
            return
        if remaining <= 1:
            del self._waiting[offset]
        else:
            self._waiting[offset] = remaining - 1

    @property
    def pending(self) -> int:
        return len(self._waiting)

    def committable(self) -> int | None:
        """The next offset to commit (the first not yet done), None before any record."""
        if self._waiting:
            return next(iter(self._waiting))
        return self._next
