"""Where a notification goes when it cannot be delivered: the ``alerts.dlq`` topic.

:class:`DeadLetterSink` is the seam the receiver workers write to; :class:`KafkaDeadLetterSink`
is the real one, :class:`MemoryDeadLetterSink` the fake beside it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from policywatch.kafka import Record, dead_letter_headers
from policywatch.notifier.notification import Notification
from policywatch.notifier.receivers.kafka_topic import KafkaSender, notification_headers


class DeadLetterSink(Protocol):
    def dead_letter(self, notification: Notification, *, reason: str, error: str) -> None:
        """Persist a notification that could not be delivered, or raise."""
        ...


class KafkaDeadLetterSink:
    """Writes undeliverable notifications to ``alerts.dlq`` with the reason in headers."""

    def __init__(
        self, producer: KafkaSender, topic: str, service: str = "notifier", timeout: float = 30.0
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._service = service
        self._timeout = timeout

    def dead_letter(self, notification: Notification, *, reason: str, error: str) -> None:
        headers = [
            *dead_letter_headers(None, reason=reason, error=error, service=self._service),
            *notification_headers(notification),
        ]
        result = self._producer.send(
            self._topic,
            notification.model_dump_json().encode(),
            key=notification.story_id.encode(),
            headers=headers,
        )
        self._producer.flush(timeout=self._timeout)
        result.get(timeout=self._timeout)


@dataclass(frozen=True)
class DeadLetter:
    notification: Notification
    reason: str
    error: str


class MemoryDeadLetterSink:
    """A fake dead-letter sink for tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.letters: list[DeadLetter] = []

    def dead_letter(self, notification: Notification, *, reason: str, error: str) -> None:
        with self._lock:
            self.letters.append(DeadLetter(notification, reason, error))


@dataclass(frozen=True)
class DeadLetterEntry:
    """A dead-lettered notification as read back from ``alerts.dlq`` (``policywatch dlq``)."""

    notification: Notification
    reason: str
    error: str
    timestamp_ms: int
    partition: int
    offset: int

    @classmethod
    def from_record(cls, record: Record) -> DeadLetterEntry | None:
        """None for a dead letter that is not a notification (e.g. an invalid alert)."""
        if record.header("pw-notification-id") is None:
            return None
        try:
            notification = Notification.model_validate_json(record.value or b"")
        except ValueError:
            return None
        return cls(
            notification,
            (record.header("pw-dlq-reason") or b"").decode("utf-8", "replace"),
            (record.header("pw-dlq-error") or b"").decode("utf-8", "replace"),
            record.timestamp_ms,
            record.partition,
            record.offset,
        )


__all__ = [
    "DeadLetter",
    "DeadLetterEntry",
    "DeadLetterSink",
    "KafkaDeadLetterSink",
    "MemoryDeadLetterSink",
]
