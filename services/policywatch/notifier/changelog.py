"""Story state in a compacted Kafka topic (``topics.notifier_state``), as Kafka Streams does.

Each record is the latest delivered :class:`StoryState` of one story, keyed by the owning
``alerts`` partition and the story's group key (``StoryState.changelog_key``: group keys are
unique only within a partition); compaction keeps one record per story, and a closed story gets
a tombstone (:meth:`KafkaStateStore.forget`), so the topic holds only the stories still open.
On assignment a replica replays the changelog and keeps the stories of the partitions it was
given, before it processes any alert from them.

The replay reads every changelog partition up to its end: the adapter's producer has no
partition argument, so a story's record lands where its key hashes. (With one, the changelog
partition could equal the alerts partition and a replica would read only its own.)
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import structlog
from pydantic import ValidationError

from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, Producer
from policywatch.notifier.grouping import StoryState
from policywatch.settings import KafkaSettings

log = structlog.get_logger("policywatch.notifier")


class KafkaStateStore:
    def __init__(
        self,
        settings: KafkaSettings,
        topic: str,
        producer: Producer,
        *,
        replay_timeout: float = 60.0,
    ) -> None:
        self._settings = settings
        self._topic = topic
        self._producer = producer
        self._replay_timeout = replay_timeout

    def save(self, states: Sequence[StoryState]) -> None:
        results = [
            self._producer.send(
                self._topic,
                state.model_dump_json().encode(),
                key=state.changelog_key.encode(),
                headers=[("pw-partition", str(state.partition).encode())],
            )
            for state in states
        ]
        self._producer.flush(timeout=self._settings.request_timeout_ms / 1000)
        for result in results:
            result.get(timeout=1.0)

    def forget(self, keys: Sequence[str]) -> None:
        """Tombstones: compaction then drops every record of these stories."""
        results = [self._producer.send(self._topic, None, key=key.encode()) for key in keys]
        self._producer.flush(timeout=self._settings.request_timeout_ms / 1000)
        for result in results:
            result.get(timeout=1.0)

    def load(self, partitions: set[int]) -> list[StoryState]:
        """Replay the whole changelog; the latest state per story of ``partitions``."""
        started = time.monotonic()
        latest: dict[str, StoryState | None] = {}
        consumer = Consumer(self._settings, [self._topic], None)
        try:
            read = self._read_to_end(consumer, partitions, latest)
        finally:
            consumer.close()
        states = [s for s in latest.values() if s is not None]
        log.info(
            "state_replayed",
            topic=self._topic,
            partitions=sorted(partitions),
            records=read,
            stories=len(states),
            seconds=round(time.monotonic() - started, 3),
        )
        return states

    def _read_to_end(
        self, consumer: Consumer, partitions: set[int], latest: dict[str, StoryState | None]
    ) -> int:
        deadline = time.monotonic() + self._replay_timeout
        assigned = consumer.assignment()
        read = 0
        while True:
            for record in consumer.poll(timeout_ms=100):
                read += 1
                key = (record.key or b"").decode("utf-8", "replace")
                if record.value is None:
                    latest.pop(key, None)
                    continue
                try:
                    state = StoryState.model_validate_json(record.value)
                except ValidationError as exc:
                    log.warning("state_record_invalid", offset=record.offset, error=str(exc)[:300])
                    continue
                if state.partition in partitions:
                    latest[key] = state
            lag = consumer.lag()
            if set(lag) >= assigned and not any(lag.values()):
                return read
            if time.monotonic() > deadline:
                raise KafkaAdapterError(
                    f"state replay of {self._topic} did not reach the end within "
                    f"{self._replay_timeout:.0f}s",
                    topic=self._topic,
                    retriable=True,
                )
