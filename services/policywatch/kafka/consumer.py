"""A consumer-group member with manual commits: the service decides when an offset is safe."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import structlog
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from policywatch.errors import KafkaAdapterError
from policywatch.kafka.config import common_kwargs
from policywatch.kafka.records import Record
from policywatch.settings import KafkaSettings

TP = tuple[str, int]
log = structlog.get_logger("policywatch.kafka")


def _log_failed_commit(offsets: Mapping[TopicPartition, OffsetAndMetadata], response: Any) -> None:
    """kafka-python's ``commit_async`` callback (on its I/O thread)."""
    if isinstance(response, BaseException):
        log.warning("async_commit_failed", error=str(response), partitions=len(offsets))


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]  # untyped library base
    def __init__(
        self,
        on_revoked: Callable[[set[TP]], None] | None,
        on_assigned: Callable[[set[TP]], None] | None,
    ) -> None:
        self._on_revoked = on_revoked
        self._on_assigned = on_assigned

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        if self._on_revoked:
            self._on_revoked({(tp.topic, tp.partition) for tp in revoked})

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        if self._on_assigned:
            self._on_assigned({(tp.topic, tp.partition) for tp in assigned})


class Consumer:
    """Subscribes ``topics`` as ``group_id``; auto-commit is off, offsets start at earliest."""

    def __init__(
        self,
        settings: KafkaSettings,
        topics: Iterable[str],
        group_id: str | None,
        *,
        on_revoked: Callable[[set[TP]], None] | None = None,
        on_assigned: Callable[[set[TP]], None] | None = None,
        **overrides: Any,
    ) -> None:
        self._group = group_id
        kwargs = common_kwargs(settings)
        kwargs.update(
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=settings.max_poll_interval_ms,
            session_timeout_ms=settings.session_timeout_ms,
            heartbeat_interval_ms=settings.heartbeat_interval_ms,
            fetch_max_wait_ms=settings.fetch_max_wait_ms,
            max_poll_records=settings.max_poll_records,
            max_partition_fetch_bytes=settings.max_request_size,
            fetch_max_bytes=max(settings.max_request_size, 52_428_800),
        )
        kwargs.update(overrides)
        try:
            self._consumer = KafkaConsumer(**kwargs)
            if group_id is None:
                parts = [
                    TopicPartition(t, p)
                    for t in topics
                    for p in sorted(self._consumer.partitions_for_topic(t) or ())
                ]
                self._consumer.assign(parts)
            else:
                self._consumer.subscribe(
                    topics=list(topics), listener=_Listener(on_revoked, on_assigned)
                )
        except KafkaError as exc:
            raise KafkaAdapterError(f"cannot create consumer: {exc}", retriable=True) from exc

    def poll(self, timeout_ms: int = 200, max_records: int | None = None) -> list[Record]:
        self._unstick_resumed_partitions()
        try:
            batches = self._consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        except KafkaError as exc:
            raise KafkaAdapterError(f"poll failed: {exc}", retriable=True) from exc
        return [
            Record(
                topic=r.topic,
                partition=r.partition,
                offset=r.offset,
                key=r.key,
                value=r.value,
                timestamp_ms=r.timestamp,
                headers=tuple(r.headers or ()),
            )
            for records in batches.values()
            for r in records
        ]

    def _unstick_resumed_partitions(self) -> None:
        """Work around a kafka-python 3.0 fetcher bug that starves a resumed partition forever.

        Records fetched for a partition that is then paused are parked; after ``resume`` they
        are handed back only when the fetcher's in-line slot is ``None``. But a drained in-line
        batch stays in the slot (empty, not ``None``), and a parked partition is never fetched
        again: it stalls with lag and no error. Clearing a drained slot before each poll lets
        the parked records flow. (Private attributes; skipped if the library changes them.)
        """
        fetcher: Any = getattr(self._consumer, "_fetcher", None)
        current = getattr(fetcher, "_next_partition_records", None)
        if current is not None and not current:
            fetcher._next_partition_records = None

    def commit(self, offsets: Mapping[TP, int], *, wait: bool = True) -> None:
        """Commit, for each partition, the offset of the next record to read.

        ``wait=False`` sends the commit and returns at once; a failure is logged (the next
        commit covers the same records, so nothing is lost, at worst redone after a restart).
        """
        if not offsets:
            return
        payload = {
            TopicPartition(t, p): OffsetAndMetadata(off, "", -1) for (t, p), off in offsets.items()
        }
        try:
            if wait:
                self._consumer.commit(payload)
            else:
                self._consumer.commit_async(payload, callback=_log_failed_commit)
        except KafkaError as exc:
            raise KafkaAdapterError(
                f"commit failed: {exc}", retriable=bool(getattr(exc, "retriable", False))
            ) from exc

    def seek(self, topic: str, partition: int, offset: int) -> None:
        self._consumer.seek(TopicPartition(topic, partition), offset)

    def seek_to_end(self, topic: str, partition: int) -> None:
        self._consumer.seek_to_end(TopicPartition(topic, partition))

    def committed(self, topic: str, partition: int) -> int | None:
        value = self._consumer.committed(TopicPartition(topic, partition))
        return None if value is None else int(value)

    def connected(self) -> bool:
        """Whether the group coordinator (or, without a group, the bootstrap broker) is reachable.

        kafka-python's poll() does not raise while the cluster is down: it reconnects with
        backoff and returns nothing, so readiness must ask the client itself.
        """
        coordinator = getattr(self._consumer, "_coordinator", None)  # no public accessor
        if self._group and coordinator is not None:
            return not coordinator.coordinator_unknown()
        return bool(self._consumer.bootstrap_connected())

    def assignment(self) -> set[TP]:
        return {(tp.topic, tp.partition) for tp in self._consumer.assignment()}

    def pause(self, partitions: Iterable[TP]) -> None:
        self._consumer.pause(*(TopicPartition(t, p) for t, p in partitions))

    def resume(self, partitions: Iterable[TP]) -> None:
        self._consumer.resume(*(TopicPartition(t, p) for t, p in partitions))

    def lag(self, *, ask_broker: bool = True) -> dict[TP, int]:
        """Records between the current position and the high-water mark, per assigned partition.

        ``ask_broker=False`` uses the high-water marks of the last fetch responses instead of a
        blocking ListOffsets round trip: right for a consumer that never pauses (the detector),
        whose fetches keep them fresh.
        """
        result: dict[TP, int] = {}
        assigned = list(self._consumer.assignment())
        # highwater() is only refreshed by fetch responses, so it goes stale for a paused
        # partition — exactly when back-pressure makes lag worth watching. Ask the broker for
        # the end offsets too (briefly: an outage must not stall the poll loop) and take the
        # larger: Tansu answers ListOffsets with the end of the first record batch (a partition
        # holding one batch of 13 records reports 1), which would end a replay early.
        ends: dict[Any, int] = {}
        if ask_broker and assigned:
            with contextlib.suppress(KafkaError):
                ends = self._consumer.end_offsets(assigned, timeout_ms=1_000)
        for tp in assigned:
            known = [h for h in (ends.get(tp), self._consumer.highwater(tp)) if h is not None]
            if not known:
                continue
            high = max(known)
            try:
                position = self._consumer.position(tp, timeout_ms=100)
            except KafkaError:
                continue
            if position is not None:
                result[(tp.topic, tp.partition)] = max(0, int(high) - int(position))
        return result

    def close(self) -> None:
        # Closing a consumer whose broker is gone must not mask the real shutdown.
        with contextlib.suppress(KafkaError):
            self._consumer.close(autocommit=False)
