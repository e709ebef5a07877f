"""The send/ack/commit ledger: which offsets the detector may commit, and where to rewind.

Between two commits the loop handles records and sends their alerts and dead letters. An
offset may be committed only once the broker acknowledged every message produced for the
records below it (at-least-once); the ledger keeps, since the last commit:

- the sends, each checked by :meth:`Ledger.settle` before a commit;
- per partition, the next offset to commit (one past the last record handled);
- per partition, the first offset since the last commit: where to seek back to when a send
  fails, so that the work is done again (alert ids are deterministic, so a duplicate carries
  the same ``alert_id``).

The rewind points of a polled batch are noted for *every* partition of the batch before any of
its records is handled (:meth:`Ledger.begin`): ``poll()`` has already moved each partition's
position past the whole batch, so a send failing on the batch's first record must also rewind
the partitions whose records were not reached yet, or those records would be skipped. The
first offset of a partition is kept until the next commit (``setdefault``): the rewind goes
back to the last commit, not to the start of the latest batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from policywatch.kafka.protocols import TP, SendResultProtocol
from policywatch.kafka.records import Record


class Ledger:
    def __init__(self) -> None:
        self._sends: list[SendResultProtocol] = []
        self._next: dict[TP, int] = {}
        self._first: dict[TP, int] = {}

    def begin(self, records: Sequence[Record]) -> None:
        """Note the rewind point of every partition of a polled batch, before handling it."""
        first = self._first
        for record in records:
            first.setdefault((record.topic, record.partition), record.offset)

    def handled(self, record: Record) -> None:
        """``record`` is handled: its messages (if any) are sent or about to be."""
        self._next[(record.topic, record.partition)] = record.offset + 1

    def sent(self, result: SendResultProtocol) -> None:
        self._sends.append(result)

    @property
    def pending(self) -> bool:
        """Work since the last commit: records handled or messages sent."""
        return bool(self._next or self._sends)

    @property
    def sends(self) -> int:
        return len(self._sends)

    def settle(self, timeout: float = 1.0) -> dict[TP, int]:
        """The offsets to commit, once every send is acknowledged; raises
        :class:`~policywatch.errors.KafkaAdapterError` for the first send that failed (the
        caller then :meth:`rewind`\\ s). Flush the producer first: this only collects results.
        """
        for result in self._sends:
            result.get(timeout=timeout)
        return dict(self._next)

    def committed(self) -> None:
        """The offsets :meth:`settle` returned are committed: start afresh."""
        self._forget()

    def rewind(self) -> dict[TP, int]:
        """Where to seek back to, per partition, to redo the work since the last commit; the
        ledger forgets that work."""
        points = self._first
        self._forget()
        return points

    def revoke(self, partitions: set[TP]) -> None:
        """Forget revoked partitions' offsets: their next owner resumes from the last commit.
        Their sends stay, so the next commit still waits for them."""
        for tp in partitions:
            self._next.pop(tp, None)
            self._first.pop(tp, None)

    def _forget(self) -> None:
        self._sends = []
        self._next = {}
        self._first = {}
