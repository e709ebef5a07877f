"""The retry topic: failed notifications wait in Kafka, not in memory, until their next attempt.

A notification whose attempt failed (or that found its receiver failing or its queue full) is
*parked*: produced to ``topics.alerts_retry``, keyed by receiver, with the attempts made so far
and the time the next one is due in headers (:func:`retry_headers`). Once parked, the alert
behind it is done: its offset commits, so a retry schedule of hours holds no offset and no timer.

:class:`RetryDrainer` reads the retry topic as its own consumer group. Per partition it looks at
the head only: a record not yet due is sought back to and its partition paused until then; a due
one goes to the receiver's retry worker, which makes one attempt and then sends it, parks it
again (next delay of ``retry_schedule``) or dead-letters it (``retries_exhausted``). A record's
offset commits once that outcome is durable, so a crash re-reads it: at worst one more attempt,
with the same ``webhook-id``.

Each receiver has a partition of its own (the notifier creates the topic with at least as many
partitions as receivers; :class:`KafkaRetryParker` picks the partition by the receiver's place
in the sorted names), so a receiver's retries never wait behind another's. Within a receiver,
records are read in order: a retry may wait behind an earlier one that is due later (a 5 min
retry behind a 2 h one) — while that receiver is failing anyway. On a topic created elsewhere
with fewer partitions than receivers, some receivers share one.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from policywatch.errors import KafkaAdapterError
from policywatch.kafka.protocols import ConsumerProtocol, RebalanceCallback, SendResultProtocol
from policywatch.kafka.records import Record
from policywatch.notifier.dead_letters import DeadLetterSink
from policywatch.notifier.notification import Notification
from policywatch.notifier.offsets import OffsetTracker
from policywatch.notifier.receivers.kafka_topic import notification_headers
from policywatch.notifier.worker import Completion, Job, ReceiverWorker

log = structlog.get_logger("policywatch.notifier")

DUE_HEADER = "pw-retry-due-ms"
ATTEMPTS_HEADER = "pw-retry-attempts"
ERROR_HEADER = "pw-retry-error"
#: How long a partition whose head found its receiver's retry queue full waits to try again.
_BUSY_WAIT = 0.2


def retry_headers(
    notification: Notification, *, attempts: int, due: float, error: str
) -> list[tuple[str, bytes]]:
    return [
        (DUE_HEADER, str(int(due * 1000)).encode()),
        (ATTEMPTS_HEADER, str(attempts).encode()),
        (ERROR_HEADER, error[:2_000].encode("utf-8", "replace")),
        *notification_headers(notification),
    ]


@dataclass(frozen=True, slots=True)
class Parked:
    """A notification on the retry topic."""

    notification: Notification
    attempts: int
    due: float
    error: str

    @classmethod
    def from_record(cls, record: Record) -> Parked:
        """Raises ValueError for a record the notifier did not write."""
        due = record.header(DUE_HEADER)
        attempts = record.header(ATTEMPTS_HEADER)
        if due is None or attempts is None:
            raise ValueError(f"missing {DUE_HEADER} or {ATTEMPTS_HEADER} header")
        notification = Notification.model_validate_json(record.value or b"")
        return cls(
            notification,
            int(attempts),
            int(due) / 1000,
            (record.header(ERROR_HEADER) or b"").decode("utf-8", "replace"),
        )


class RetrySender(Protocol):
    """The part of :class:`policywatch.kafka.Producer` the parker uses."""

    def send(
        self,
        topic: str,
        value: bytes | None,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
        partition: int | None = None,
    ) -> SendResultProtocol: ...

    def flush(self, timeout: float | None = None) -> None: ...

    def partitions_for(self, topic: str) -> int: ...


def retry_partitions(receivers: Sequence[str]) -> int:
    """How many partitions the retry topic needs for a partition per receiver."""
    return len(set(receivers))


class KafkaRetryParker:
    """Parks notifications on the retry topic, keyed by receiver, each receiver on its own
    partition (its index among the sorted ``receivers``); returns once acknowledged."""

    def __init__(
        self,
        producer: RetrySender,
        topic: str,
        receivers: Sequence[str],
        timeout: float = 30.0,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._order = {name: i for i, name in enumerate(sorted(set(receivers)))}
        self._timeout = timeout
        self._partitions = 0
        self._lock = threading.Lock()

    def _partition(self, receiver: str) -> int | None:
        index = self._order.get(receiver)
        if index is None:
            return None
        with self._lock:
            if not self._partitions:
                self._partitions = self._producer.partitions_for(self._topic)
            return index % self._partitions if self._partitions else None

    def park(self, notification: Notification, *, attempts: int, due: float, error: str) -> None:
        result = self._producer.send(
            self._topic,
            notification.model_dump_json().encode(),
            key=notification.receiver.encode(),
            headers=retry_headers(notification, attempts=attempts, due=due, error=error),
            partition=self._partition(notification.receiver),
        )
        self._producer.flush(timeout=self._timeout)
        result.get(timeout=self._timeout)


class MemoryRetryParker:
    """A fake retry topic for tests: what was parked, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.parked: list[Parked] = []

    def park(self, notification: Notification, *, attempts: int, due: float, error: str) -> None:
        with self._lock:
            self.parked.append(Parked(notification, attempts, due, error))


ConsumerFactory = Callable[[RebalanceCallback, RebalanceCallback], ConsumerProtocol]


class RetryDrainer:
    """Feeds due records of the retry topic to the receivers' retry workers (own thread).

    ``workers`` are built with ``spill=False`` and :meth:`complete` as their callback.
    """

    def __init__(
        self,
        topic: str,
        connect: ConsumerFactory,
        workers: Mapping[str, ReceiverWorker],
        dead_letters: DeadLetterSink,
        *,
        clock: Callable[[], float] = time.time,
        commit_interval: float = 0.2,
    ) -> None:
        self._topic = topic
        self._connect = connect
        self._workers = workers
        self._dead_letters = dead_letters
        self._clock = clock
        self._commit_interval = commit_interval
        self._consumer: ConsumerProtocol | None = None
        self._trackers: dict[int, OffsetTracker] = {}
        self._generation: dict[int, int] = {}
        self._held: dict[int, float] = {}
        self._committed: dict[int, int] = {}
        self._completions: queue.Queue[Completion] = queue.Queue()
        self._last_commit = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="retry-drainer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop reading; call after the retry workers stopped, so what they finished commits."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def complete(self, completion: Completion) -> None:
        """Called from the retry workers' threads."""
        self._completions.put(completion)

    def held(self) -> dict[int, float]:
        """Partitions waiting for their head record to be due, and when it is."""
        return dict(self._held)

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                if self._consumer is None:
                    self._consumer = self._connect(self._on_assigned, self._on_revoked)
                self._loop(self._consumer)
                backoff = 0.5
            except KafkaAdapterError as exc:
                log.warning("retry_topic_unavailable", error=str(exc), retry_in=backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        if self._consumer is not None:
            try:
                self._absorb()
                self._commit(force=True)
            except KafkaAdapterError as exc:
                log.warning("retry_commit_failed", error=str(exc))
            self._consumer.close()
            self._consumer = None

    # -- rebalancing -----------------------------------------------------------------------

    def _on_assigned(self, parts: set[tuple[str, int]]) -> None:
        for topic, p in parts:
            if topic == self._topic:
                self._generation[p] = self._generation.get(p, 0) + 1
                self._trackers[p] = OffsetTracker()
        log.info("retry_partitions_assigned", partitions=sorted(self._trackers))

    def _on_revoked(self, parts: set[tuple[str, int]]) -> None:
        revoked = {p for topic, p in parts if topic == self._topic}
        self._absorb()
        try:
            self._commit(force=True)
        except KafkaAdapterError as exc:
            log.warning("retry_commit_on_revoke_failed", error=str(exc))
        for p in revoked:
            self._generation[p] = self._generation.get(p, 0) + 1
            self._trackers.pop(p, None)
            self._held.pop(p, None)
            self._committed.pop(p, None)

    # -- the loop --------------------------------------------------------------------------

    def _loop(self, consumer: ConsumerProtocol) -> None:
        while not self._stop.is_set():
            records = consumer.poll(timeout_ms=100)
            stopped: set[int] = set()
            for record in records:
                if record.partition in stopped or record.partition not in self._trackers:
                    continue
                try:
                    taken = self._take(consumer, record)
                except KafkaAdapterError:  # read it again once Kafka is back, not skip it
                    consumer.seek(self._topic, record.partition, record.offset)
                    raise
                if not taken:
                    stopped.add(record.partition)
            self._release(consumer)
            self._absorb()
            self._commit()

    def _take(self, consumer: ConsumerProtocol, record: Record) -> bool:
        """Hand one record on; False when its partition must wait (record sought back to)."""
        p, tracker = record.partition, self._trackers[record.partition]
        now = self._clock()
        try:
            parked = Parked.from_record(record)
        except ValueError as exc:  # not ours: nothing to deliver, move on
            log.warning("retry_record_invalid", partition=p, offset=record.offset, error=str(exc))
            tracker.track(record.offset, 0)
            return True
        if parked.due > now:
            self._hold(consumer, p, record.offset, parked.due)
            return False
        worker = self._workers.get(parked.notification.receiver)
        if worker is None:  # the receiver was removed from the config since it was parked
            self._dead_letters.dead_letter(
                parked.notification,
                reason="receiver_unknown",
                error=f"no receiver named {parked.notification.receiver!r} is configured",
            )
            tracker.track(record.offset, 0)
            return True
        job = Job(
            parked.notification,
            p,
            self._generation[p],
            parked.notification.story_id,
            attempts=parked.attempts,
            offset=record.offset,
        )
        if not worker.offer(job):
            self._hold(consumer, p, record.offset, now + _BUSY_WAIT)
            return False
        tracker.track(record.offset, 1)
        return True

    def _hold(self, consumer: ConsumerProtocol, partition: int, offset: int, until: float) -> None:
        consumer.seek(self._topic, partition, offset)
        if partition not in self._held:
            consumer.pause([(self._topic, partition)])
        self._held[partition] = until

    def _release(self, consumer: ConsumerProtocol) -> None:
        now = self._clock()
        due = [p for p, until in self._held.items() if until <= now]
        if due:
            consumer.resume((self._topic, p) for p in due)
            for p in due:
                del self._held[p]

    def _absorb(self) -> None:
        while True:
            try:
                c = self._completions.get_nowait()
            except queue.Empty:
                return
            job = c.job
            tracker = self._trackers.get(job.partition)
            if tracker is not None and self._generation.get(job.partition) == job.generation:
                tracker.ack(job.offset)

    def _commit(self, *, force: bool = False) -> None:
        if self._consumer is None:
            return
        now = time.monotonic()
        if not force and now - self._last_commit < self._commit_interval:
            return
        self._last_commit = now
        todo = {
            p: off
            for p, tracker in self._trackers.items()
            if (off := tracker.committable()) is not None and off > self._committed.get(p, -1)
        }
        if todo:
            self._consumer.commit({(self._topic, p): off for p, off in todo.items()})
            self._committed.update(todo)


__all__ = [
    "ATTEMPTS_HEADER",
    "DUE_HEADER",
    "ERROR_HEADER",
    "KafkaRetryParker",
    "MemoryRetryParker",
    "Parked",
    "RetryDrainer",
    "RetrySender",
    "retry_headers",
    "retry_partitions",
]
