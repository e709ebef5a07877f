"""What a consumed Kafka record looks like to the services."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int
    headers: tuple[tuple[str, bytes], ...] = field(default=())

    def header(self, name: str) -> bytes | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None


def dead_letter_headers(
    record: Record | None, *, reason: str, error: str, service: str
) -> list[tuple[str, bytes]]:
    """Headers of a dead letter, on every DLQ topic: why (``pw-dlq-reason``, ``pw-dlq-error``,
    ``pw-dlq-service``), and, for a dead-lettered copy of a consumed ``record``, where the
    original was (``pw-original-*``). ``record`` is None for a message built by the service
    (the notifier's undeliverable notifications)."""
    why = [
        ("pw-dlq-reason", reason.encode()),
        ("pw-dlq-error", error[:2_000].encode("utf-8", "replace")),
        ("pw-dlq-service", service.encode()),
    ]
    if record is None:
        return why
    return [
        *why,
        ("pw-original-topic", record.topic.encode()),
        ("pw-original-partition", str(record.partition).encode()),
        ("pw-original-offset", str(record.offset).encode()),
        ("pw-original-timestamp", str(record.timestamp_ms).encode()),
    ]
