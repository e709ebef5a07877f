"""Silences in a compacted Kafka topic (``topics.silences``), followed by every replica.

:class:`SilenceBook` is what the pipeline asks ("is a story with these labels silenced now?");
:class:`SilenceFeed` fills it: at start it reads the topic to its end *before* the notifier
handles any alert (a restart never forgets a silence), then a thread keeps consuming, so a
silence added or expired with ``policywatch silence`` takes effect on every replica without a
restart. Time decides whether a silence is active: nothing needs to happen when it ends.

:func:`read_silences` and :func:`write_silence` serve the ``policywatch silence`` commands.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime

import structlog
from pydantic import ValidationError

from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, Producer, Record, ensure_topics
from policywatch.models.matchers import Matcher, matches_all
from policywatch.models.silence import Silence
from policywatch.settings import KafkaSettings

log = structlog.get_logger("policywatch.notifier")


class SilenceBook:
    """The latest version of every silence; thread-safe (the feed writes, the loop reads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._silences: dict[str, tuple[Silence, tuple[Matcher, ...]]] = {}

    def put(self, silence: Silence) -> None:
        with self._lock:
            self._silences[silence.id] = (silence, silence.parsed())

    def remove(self, silence_id: str) -> None:
        with self._lock:
            self._silences.pop(silence_id, None)

    def all(self) -> list[Silence]:
        with self._lock:
            return [s for s, _ in self._silences.values()]

    def silencing(self, labels: Mapping[str, str], now: datetime | None = None) -> Silence | None:
        """An active silence matching ``labels``, if any."""
        when = now or datetime.now(UTC)
        with self._lock:
            entries = list(self._silences.values())
        for silence, matchers in entries:
            if silence.active(when) and matches_all(matchers, labels):
                return silence
        return None


def _apply(book: SilenceBook, record: Record) -> None:
    if record.value is None:
        book.remove((record.key or b"").decode("utf-8", "replace"))
        return
    try:
        book.put(Silence.model_validate_json(record.value))
    except ValidationError as exc:
        log.warning("silence_record_invalid", offset=record.offset, error=str(exc)[:300])


def _read_to_end(consumer: Consumer, book: SilenceBook, topic: str, timeout: float) -> int:
    if not consumer.assignment():
        raise KafkaAdapterError(f"topic {topic} has no partitions yet", topic=topic, retriable=True)
    deadline = time.monotonic() + timeout
    read = 0
    while True:
        for record in consumer.poll(timeout_ms=100):
            _apply(book, record)
            read += 1
        lag = consumer.lag()
        if set(lag) >= consumer.assignment() and not any(lag.values()):
            return read
        if time.monotonic() > deadline:
            raise KafkaAdapterError(
                f"reading silences from {topic} did not reach the end within {timeout:.0f}s",
                topic=topic,
                retriable=True,
            )


def read_silences(settings: KafkaSettings, topic: str, timeout: float = 30.0) -> list[Silence]:
    """Every silence in the topic, latest version of each (none if the topic does not exist)."""
    book = SilenceBook()
    consumer = Consumer(settings, [topic], None)
    try:
        if consumer.assignment():
            _read_to_end(consumer, book, topic, timeout)
    finally:
        consumer.close()
    return book.all()


def write_silence(settings: KafkaSettings, topic: str, silence: Silence) -> None:
    """Produce ``silence`` keyed by its id and wait for the broker's acknowledgement."""
    try:
        # Compacted, so that it keeps the latest version of every silence for ever; a broker
        # that auto-created it on first write would not compact it.
        ensure_topics(settings, [], compacted=[topic])
    except KafkaAdapterError as exc:  # a cluster may forbid topic creation: it may exist
        log.warning("ensure_topics_failed", error=str(exc))
    producer = Producer(settings)
    try:
        result = producer.send(topic, silence.model_dump_json().encode(), key=silence.id.encode())
        producer.flush(timeout=settings.request_timeout_ms / 1000)
        result.get(timeout=settings.request_timeout_ms / 1000)
    finally:
        producer.close()


class SilenceFeed:
    """Keeps a :class:`SilenceBook` up to date with the silences topic."""

    def __init__(
        self,
        settings: KafkaSettings,
        topic: str,
        book: SilenceBook,
        *,
        replay_timeout: float = 60.0,
    ) -> None:
        self._settings = settings
        self._topic = topic
        self.book = book
        self._replay_timeout = replay_timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Read the topic to its end (raises ``KafkaAdapterError``), then follow it in a thread."""
        consumer = Consumer(self._settings, [self._topic], None)
        try:
            read = _read_to_end(consumer, self.book, self._topic, self._replay_timeout)
        except BaseException:
            consumer.close()
            raise
        log.info("silences_loaded", topic=self._topic, records=read, silences=len(self.book.all()))
        self._thread = threading.Thread(
            target=self._follow, args=(consumer,), name="silences", daemon=True
        )
        self._thread.start()

    def _follow(self, consumer: Consumer) -> None:
        try:
            while not self._stop.is_set():
                try:
                    records = consumer.poll(timeout_ms=200)
                except KafkaAdapterError as exc:  # kafka-python reconnects by itself
                    log.warning("silences_poll_failed", error=str(exc))
                    self._stop.wait(1.0)
                    continue
                for record in records:
                    _apply(self.book, record)
                    log.info("silence_updated", key=(record.key or b"").decode("utf-8", "replace"))
        finally:
            consumer.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


__all__ = ["SilenceBook", "SilenceFeed", "read_silences", "write_silence"]
