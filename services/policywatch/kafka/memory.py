"""An in-memory broker with a consumer and producer that satisfy the Kafka Protocols.

Good enough to drive a service loop without a cluster, the way httpx's ``MockTransport``
drives a client: topics are lists of :class:`~policywatch.kafka.Record` per partition,
committed offsets a dict per group. A send is written and acknowledged at once; with
``delayed_acks=True`` only when its producer flushes (a slow broker: a real producer's records
are acknowledged at the latest by ``flush()``), so that a test sees sends in flight. Faults are
injected on purpose: :meth:`MemoryBroker.fail_send` makes a
future ``send()`` raise, :meth:`MemoryBroker.fail_ack` makes a send's acknowledgement fail, and
:attr:`MemoryBroker.up` set to False makes clients unreachable.

What it does not do: a group has one member, which is assigned every partition of its topics
at its first poll (no rebalancing between members), and nothing is persisted.
:attr:`MemoryBroker.events` records acknowledgements and commits in the order they happened, so
a test can check that a commit came after the acks it depends on.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from policywatch.errors import KafkaAdapterError
from policywatch.kafka.protocols import TP, OffsetReset, RebalanceCallback
from policywatch.kafka.records import Record


@dataclass(frozen=True, slots=True)
class Acked:
    """The broker acknowledged ``topic``/``partition``/``offset``."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class Committed:
    """``group`` committed ``offsets`` (next offset to read, per partition)."""

    group: str | None
    offsets: dict[TP, int] = field(default_factory=dict)


class MemoryBroker:
    """Topics, committed offsets and injected faults; builds consumers and producers."""

    def __init__(
        self, *, partitions: int = 1, max_poll_records: int = 500, delayed_acks: bool = False
    ) -> None:
        self.partitions = partitions
        self.max_poll_records = max_poll_records
        self.delayed_acks = delayed_acks
        self.up = True
        self.events: list[Acked | Committed] = []
        self._cond = threading.Condition()
        self._topics: dict[str, list[list[Record]]] = {}
        self._committed: dict[str | None, dict[TP, int]] = {}
        self._sends = 0
        self._failing_sends: set[int] = set()
        self._failing_acks: set[int] = set()

    # -- the data --------------------------------------------------------------------------

    def create_topic(self, name: str, partitions: int | None = None) -> None:
        with self._cond:
            if name not in self._topics:
                self._topics[name] = [[] for _ in range(partitions or self.partitions)]

    def produce(
        self,
        topic: str,
        value: bytes | None,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
        partition: int | None = None,
    ) -> Record:
        """Append a record at once (what a test publishes for the service to consume)."""
        self.create_topic(topic)
        with self._cond:
            parts = self._topics[topic]
            if partition is None:
                partition = zlib.crc32(key) % len(parts) if key is not None else 0
            log = parts[partition]
            record = Record(
                topic=topic,
                partition=partition,
                offset=len(log),
                key=key,
                value=value,
                timestamp_ms=int(time.time() * 1000),
                headers=tuple(headers),
            )
            log.append(record)
            self._cond.notify_all()
        return record

    def records(self, topic: str) -> list[Record]:
        """Every record of ``topic``, partition by partition."""
        with self._cond:
            return [r for log in self._topics.get(topic, []) for r in log]

    def committed(self, group: str | None) -> dict[TP, int]:
        with self._cond:
            return dict(self._committed.get(group, {}))

    # -- faults ----------------------------------------------------------------------------

    def fail_send(self, *, after: int = 0) -> None:
        """The send ``after`` sends from now (0: the next one) raises KafkaAdapterError."""
        with self._cond:
            self._failing_sends.add(self._sends + after)

    def fail_ack(self, *, after: int = 0) -> None:
        """The send ``after`` sends from now is accepted, but never acknowledged: its result
        raises KafkaAdapterError once flushed, and the record is not written."""
        with self._cond:
            self._failing_acks.add(self._sends + after)

    @property
    def faults_pending(self) -> int:
        """Injected faults that have not happened yet."""
        with self._cond:
            return len(self._failing_sends) + len(self._failing_acks)

    def _check_up(self, what: str) -> None:
        if not self.up:
            raise KafkaAdapterError(f"{what}: memory broker is down", retriable=True)

    # -- ClientsProtocol -------------------------------------------------------------------

    def consumer(
        self,
        topics: Sequence[str],
        group_id: str | None,
        *,
        on_assigned: RebalanceCallback | None = None,
        on_revoked: RebalanceCallback | None = None,
        auto_offset_reset: OffsetReset = "earliest",
    ) -> MemoryConsumer:
        self._check_up("cannot create consumer")
        for topic in topics:
            self.create_topic(topic)
        return MemoryConsumer(
            self, list(topics), group_id, on_assigned, on_revoked, auto_offset_reset
        )

    def producer(self, *, linger_ms: int | None = None) -> MemoryProducer:
        self._check_up("cannot create producer")
        return MemoryProducer(self)


class MemorySendResult:
    """Pending until the broker acknowledges it (see ``delayed_acks``) or fails it."""

    def __init__(self, producer: MemoryProducer, topic: str) -> None:
        self.topic = topic
        self._producer = producer
        self._done = False
        self._meta: tuple[int, int] | None = None
        self._error: KafkaAdapterError | None = None
        self._callbacks: list[Callable[[], None]] = []

    def get(self, timeout: float = 30.0) -> tuple[int, int]:
        if not self._done:
            self._producer.flush(timeout)
        if self._error is not None:
            raise self._error
        assert self._meta is not None
        return self._meta

    def on_success(self, callback: Callable[[], None]) -> None:
        if self._done:
            if self._error is None:
                callback()
        else:
            self._callbacks.append(callback)

    @property
    def done(self) -> bool:
        return self._done

    def _resolve(self, meta: tuple[int, int] | None, error: KafkaAdapterError | None) -> None:
        self._done, self._meta, self._error = True, meta, error
        callbacks, self._callbacks = self._callbacks, []
        if error is None:
            for callback in callbacks:
                callback()


@dataclass(slots=True)
class _Pending:
    number: int
    topic: str
    value: bytes
    key: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    result: MemorySendResult
    partition: int | None = None


class MemoryProducer:
    def __init__(self, broker: MemoryBroker) -> None:
        self._broker = broker
        self._pending: list[_Pending] = []
        self.sends = 0

    def send(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
        partition: int | None = None,
    ) -> MemorySendResult:
        broker = self._broker
        broker._check_up(f"produce to {topic} failed")
        with broker._cond:
            number = broker._sends
            broker._sends += 1
            if number in broker._failing_sends:
                broker._failing_sends.discard(number)
                raise KafkaAdapterError(
                    f"produce to {topic} failed: injected", topic=topic, retriable=True
                )
        self.sends += 1
        result = MemorySendResult(self, topic)
        self._pending.append(_Pending(number, topic, value, key, tuple(headers), result, partition))
        if not broker.delayed_acks:
            self.flush()
        return result

    def flush(self, timeout: float | None = None) -> None:
        pending, self._pending = self._pending, []
        broker = self._broker
        for p in pending:
            with broker._cond:
                fails = p.number in broker._failing_acks
                broker._failing_acks.discard(p.number)
            if fails:
                error = KafkaAdapterError(
                    f"produce to {p.topic} failed: injected ack failure", topic=p.topic
                )
                p.result._resolve(None, error)
                continue
            record = broker.produce(
                p.topic, p.value, key=p.key, headers=p.headers, partition=p.partition
            )
            with broker._cond:
                broker.events.append(Acked(record.topic, record.partition, record.offset))
            p.result._resolve((record.partition, record.offset), None)

    def partitions_for(self, topic: str) -> int:
        self._broker.create_topic(topic)
        with self._broker._cond:
            return len(self._broker._topics[topic])

    def close(self, timeout: float | None = 10.0) -> None:
        self.flush(timeout)


class MemoryConsumer:
    def __init__(
        self,
        broker: MemoryBroker,
        topics: list[str],
        group_id: str | None,
        on_assigned: RebalanceCallback | None,
        on_revoked: RebalanceCallback | None,
        auto_offset_reset: OffsetReset = "earliest",
    ) -> None:
        self._broker = broker
        self._reset = auto_offset_reset
        self._topics = topics
        self._group = group_id
        self._on_assigned = on_assigned
        self._on_revoked = on_revoked
        self._positions: dict[TP, int] = {}
        self._highwater: dict[TP, int] = {}
        self._paused: set[TP] = set()
        self.closed = False

    def _assign(self) -> None:
        broker = self._broker
        with broker._cond:
            committed = broker._committed.get(self._group, {})
            parts = {
                (topic, p) for topic in self._topics for p in range(len(broker._topics[topic]))
            }
            start = {
                tp: len(broker._topics[tp[0]][tp[1]]) if self._reset == "latest" else 0
                for tp in parts
            }
            self._positions = {tp: committed.get(tp, start[tp]) for tp in parts}
        if self._on_assigned is not None:
            self._on_assigned(set(parts))

    def revoke(self) -> None:
        """Take every partition away (as a rebalance would); the next poll assigns them again
        from the committed offsets."""
        with self._broker._cond:
            parts = set(self._positions)
            self._positions, self._highwater = {}, {}
        if self._on_revoked is not None:
            self._on_revoked(parts)

    def poll(self, timeout_ms: int = 200, max_records: int | None = None) -> list[Record]:
        broker = self._broker
        if not broker.up:
            time.sleep(timeout_ms / 1000)
            return []
        if not self._positions:
            self._assign()
        limit = max_records or broker.max_poll_records
        with broker._cond:
            out = self._take(limit)
            if not out and timeout_ms > 0:
                broker._cond.wait(timeout_ms / 1000)
                out = self._take(limit)
        return out

    def _take(self, limit: int) -> list[Record]:
        """Records from the positions on, partition by partition (called with the lock)."""
        out: list[Record] = []
        for tp in sorted(self._positions):
            log = self._broker._topics[tp[0]][tp[1]]
            self._highwater[tp] = len(log)
            if tp in self._paused or len(out) >= limit:
                continue
            position = self._positions[tp]
            chunk = log[position : position + limit - len(out)]
            out.extend(chunk)
            self._positions[tp] = position + len(chunk)
        return out

    def commit(self, offsets: Mapping[TP, int], *, wait: bool = True) -> None:
        broker = self._broker
        broker._check_up("commit failed")
        if not offsets:
            return
        with broker._cond:
            broker._committed.setdefault(self._group, {}).update(offsets)
            broker.events.append(Committed(self._group, dict(offsets)))

    def seek(self, topic: str, partition: int, offset: int) -> None:
        self._positions[(topic, partition)] = offset

    def position(self, topic: str, partition: int) -> int:
        return self._positions[(topic, partition)]

    def connected(self) -> bool:
        return self._broker.up

    def assignment(self) -> set[TP]:
        return set(self._positions)

    def pause(self, partitions: Iterable[TP]) -> None:
        self._paused.update(partitions)

    def resume(self, partitions: Iterable[TP]) -> None:
        self._paused.difference_update(partitions)

    def lag(self, *, ask_broker: bool = True) -> dict[TP, int]:
        if ask_broker:
            with self._broker._cond:
                for topic, p in self._positions:
                    self._highwater[(topic, p)] = len(self._broker._topics[topic][p])
        return {
            tp: max(0, self._highwater[tp] - position)
            for tp, position in self._positions.items()
            if tp in self._highwater
        }

    def close(self) -> None:
        self.closed = True
