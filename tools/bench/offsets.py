"""Watching a group's committed offsets cheaply while it runs.

:func:`policywatch.kafka.committed_offsets` opens an admin client per call (~4 ms of CPU here);
polled every 50 ms on a 2-core machine that steals ~7% of a core from the process under test.
This keeps one :class:`~policywatch.kafka.OffsetReader` open (~0.4 ms a poll).
"""

from __future__ import annotations

from types import TracebackType

from policywatch.kafka import OffsetReader
from policywatch.settings import KafkaSettings

__all__ = ["OffsetWatcher"]


class OffsetWatcher:
    def __init__(self, kafka: KafkaSettings, group: str, topic: str) -> None:
        self._reader = OffsetReader(kafka, group)
        self._topic = topic

    def committed(self) -> int:
        """Records of ``topic`` the group has committed, summed over partitions."""
        return sum(
            offset
            for (topic, _), offset in self._reader.read().items()
            if topic == self._topic and offset > 0
        )

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> OffsetWatcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
