"""Which feed items were already published: a compacted Kafka topic (``topics.ingest_state``).

One record per article id, keyed by it, value ``{"feed": name, "seen_at": unix seconds}``;
compaction keeps the latest per id, and a tombstone (null value) forgets one. At start the
service replays the topic to its end and holds the ids in memory. An id is saved only after the
broker acknowledged the article, so a crash between the two republishes that article (the same
id: consumers drop it as a duplicate) but never loses one.

:class:`MemorySeenStore` is the in-memory double for tests and ``--once`` dry runs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, SendResult
from policywatch.settings import KafkaSettings

log = structlog.get_logger("policywatch.ingest")


@dataclass(frozen=True)
class Seen:
    id: str
    feed: str
    seen_at: float


class RecordProducer(Protocol):
    """What ingest needs of :class:`policywatch.kafka.Producer`."""

    def send(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> SendResult: ...

    def flush(self, timeout: float | None = None) -> None: ...

    def close(self, timeout: float | None = 10.0) -> None: ...


class SeenStore(Protocol):
    def load(self) -> dict[str, Seen]:
        """Every id remembered, with the feed that carried it."""
        ...

    def save(self, entries: Sequence[Seen]) -> None:
        """Remember ``entries``; returns once they are durable, or raises."""
        ...

    def forget(self, ids: Sequence[str]) -> None: ...


class MemorySeenStore:
    def __init__(self) -> None:
        self.entries: dict[str, Seen] = {}

    def load(self) -> dict[str, Seen]:
        return dict(self.entries)

    def save(self, entries: Sequence[Seen]) -> None:
        self.entries.update((e.id, e) for e in entries)

    def forget(self, ids: Sequence[str]) -> None:
        for i in ids:
            self.entries.pop(i, None)


class KafkaSeenStore:
    def __init__(
        self,
        settings: KafkaSettings,
        topic: str,
        producer: RecordProducer,
        *,
        replay_timeout: float = 60.0,
    ) -> None:
        self._settings = settings
        self._topic = topic
        self._producer = producer
        self._replay_timeout = replay_timeout

    def save(self, entries: Sequence[Seen]) -> None:
        self._write(
            [(e.id, json.dumps({"feed": e.feed, "seen_at": e.seen_at}).encode()) for e in entries]
        )

    def forget(self, ids: Sequence[str]) -> None:
        self._write([(i, None) for i in ids])

    def _write(self, records: Sequence[tuple[str, bytes | None]]) -> None:
        if not records:
            return
        results = [
            # The adapter types a value as bytes; kafka-python sends None as the tombstone.
            self._producer.send(self._topic, value, key=key.encode())  # type: ignore[arg-type]
            for key, value in records
        ]
        self._producer.flush(timeout=self._settings.request_timeout_ms / 1000)
        for result in results:
            result.get(timeout=1.0)

    def load(self) -> dict[str, Seen]:
        started = time.monotonic()
        seen: dict[str, Seen] = {}
        consumer = Consumer(self._settings, [self._topic], None)
        try:
            read = self._read_to_end(consumer, seen)
        finally:
            consumer.close()
        log.info(
            "seen_state_replayed",
            topic=self._topic,
            records=read,
            ids=len(seen),
            seconds=round(time.monotonic() - started, 3),
        )
        return seen

    def _read_to_end(self, consumer: Consumer, seen: dict[str, Seen]) -> int:
        deadline = time.monotonic() + self._replay_timeout
        assigned = consumer.assignment()
        read = 0
        while True:
            for record in consumer.poll(timeout_ms=100):
                read += 1
                key = (record.key or b"").decode("utf-8", "replace")
                if record.value is None:
                    seen.pop(key, None)
                    continue
                try:
                    doc = json.loads(record.value)
                    seen[key] = Seen(key, str(doc["feed"]), float(doc["seen_at"]))
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("seen_record_invalid", offset=record.offset, error=str(exc)[:300])
            lag = consumer.lag()
            if set(lag) >= assigned and not any(lag.values()):
                return read
            if time.monotonic() > deadline:
                raise KafkaAdapterError(
                    f"replay of {self._topic} did not reach the end within "
                    f"{self._replay_timeout:.0f}s",
                    topic=self._topic,
                    retriable=True,
                )
