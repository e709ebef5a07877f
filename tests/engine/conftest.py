from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policywatch.engine import Engine
from policywatch.models import Alert, Article

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.from_paths()


def make_article(body: str, *, title: str | None = None, language: str | None = "en") -> Article:
    return Article(
        id="t1",
        url=None,
        source="tests",
        published_at=None,
        language=language,
        title=title,
        body=body,
    )


def detect(engine: Engine, body: str, **kw: object) -> list[Alert]:
    return engine.detect(make_article(body, **kw), detected_at=NOW)  # type: ignore[arg-type]
