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
    record: Record, *, reason: str, error: str, service: str
) -> list[tuple[str, bytes]]:
    """Headers of a dead-lettered copy of ``record``: why, and where the original was."""
    return [
        ("pw-dlq-reason", reason.encode()),
        ("pw-dlq-error", error[:2_000].encode("utf-8", "replace")),
        ("pw-dlq-service", service.encode()),
        ("pw-original-topic", record.topic.encode()),
        ("pw-original-partition", str(record.partition).encode()),
        ("pw-original-offset", str(record.offset).encode()),
        ("pw-original-timestamp", str(record.timestamp_ms).encode()),
    ]
