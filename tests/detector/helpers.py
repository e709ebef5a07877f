"""Articles and settings shared by the detector's tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

from policywatch.settings import DetectorSettings, KafkaSettings, Settings, TopicSettings

POSITIVE = (
    "Washington has decided to allow Ukraine to use American-supplied ATACMS missiles "
    "against military targets inside Russia, officials said on Tuesday."
)
NEUTRAL = "The city council approved a new budget for public libraries on Monday."


def article(n: int, body: str, **fields: Any) -> bytes:
    """The JSON of article ``art-{n}`` with ``body``."""
    return json.dumps(
        {
            "id": f"art-{n}",
            "url": f"https://example.org/{n}",
            "source": "Test Wire",
            "published_at": "2026-11-20T10:00:00Z",
            "language": "en",
            "title": None,
            "body": body,
            **fields,
        }
    ).encode()


def make_settings(
    kafka: KafkaSettings | None = None,
    topics: TopicSettings | None = None,
    group: str | None = None,
    *,
    commit_interval_ms: int = DetectorSettings().commit_interval_ms,
) -> Settings:
    return Settings(
        kafka=kafka or KafkaSettings(),
        topics=topics or TopicSettings(),
        detector=DetectorSettings(
            group_id=group or f"det-{uuid.uuid4().hex[:8]}",
            metrics_port=0,
            commit_interval_ms=commit_interval_ms,
        ),
    )
