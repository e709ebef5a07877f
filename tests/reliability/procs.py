"""What the fault tests add to :mod:`tools.harness`: their client timeouts and their articles."""

from __future__ import annotations

import json
from typing import Any

from policywatch.settings import KafkaSettings, TopicSettings
from tools import harness


def service_env(kafka: KafkaSettings, topics: TopicSettings, **kwargs: Any) -> dict[str, str]:
    """:func:`tools.harness.service_env` with a 5 s request timeout, so that a request to a
    killed or restarted broker fails within the tests' waits instead of after 30 s."""
    fast = kafka.model_copy(update={"request_timeout_ms": 5_000})
    return harness.service_env(fast, topics, **kwargs)


def article_json(n: int, body: str) -> bytes:
    return json.dumps(
        {
            "id": f"art-{n:05d}",
            "url": f"https://example.org/{n}",
            "source": f"Wire {n % 7}",
            "published_at": "2026-11-20T10:00:00Z",
            "language": "en",
            "title": None,
            "body": body,
        }
    ).encode()
