"""The Kafka-topic receiver: each notification produced to a topic, keyed by story id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from policywatch.errors import DeliveryError, KafkaAdapterError
from policywatch.kafka import SendResultProtocol
from policywatch.notifier.notification import Notification


class KafkaSender(Protocol):
    """The part of :class:`policywatch.kafka.Producer` the Kafka receiver and DLQ use."""

    def send(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> SendResultProtocol: ...

    def flush(self, timeout: float | None = None) -> None: ...


def notification_headers(n: Notification) -> list[tuple[str, bytes]]:
    return [
        ("pw-notification-id", n.id.encode()),
        ("pw-story-id", n.story_id.encode()),
        ("pw-receiver", n.receiver.encode()),
    ]


class KafkaTopicReceiver:
    """Produces the notification JSON to a topic, keyed by story id (so a story stays ordered)."""

    def __init__(self, name: str, producer: KafkaSender, topic: str, timeout: float = 30.0) -> None:
        self._name = name
        self._producer = producer
        self._topic = topic
        self._timeout = timeout

    @property
    def name(self) -> str:
        return self._name

    def send(self, notification: Notification) -> None:
        try:
            result = self._producer.send(
                self._topic,
                notification.model_dump_json().encode(),
                key=notification.story_id.encode(),
                headers=notification_headers(notification),
            )
            self._producer.flush(timeout=self._timeout)
            result.get(timeout=self._timeout)
        except KafkaAdapterError as exc:
            raise DeliveryError(
                f"{self._name}: produce to {self._topic} failed: {exc}",
                receiver=self._name,
                retriable=True,
            ) from exc

    def close(self) -> None:
        pass


__all__ = ["KafkaSender", "KafkaTopicReceiver", "notification_headers"]
