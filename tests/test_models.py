from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from policywatch.models import (
    Alert,
    AlertArticle,
    ArticleDecodeError,
    Entity,
    Evidence,
    RuleRef,
    decode_article,
    make_alert_id,
    make_story_key,
)

GOOD = {
    "id": "a1",
    "url": "https://example.org/a1",
    "source": "Test Wire",
    "published_at": "2026-11-20T10:00:00Z",
    "language": "en",
    "title": "A title",
    "body": "Some text.",
}


def test_unknown_fields_are_ignored() -> None:
    article = decode_article(json.dumps({**GOOD, "section": "world", "tags": [1, 2]}))
    assert article.id == "a1"
    assert not hasattr(article, "section")


@pytest.mark.parametrize("field", ["id", "url", "source", "published_at", "language", "body"])
def test_a_missing_required_field_is_an_error_that_names_it(field: str) -> None:
    doc = dict(GOOD)
    del doc[field]
    with pytest.raises(ArticleDecodeError) as info:
        decode_article(json.dumps(doc))
    assert info.value.reason == "invalid_article"
    assert field in info.value.detail


def test_a_wrongly_typed_field_is_an_error() -> None:
    with pytest.raises(ArticleDecodeError) as info:
        decode_article(json.dumps({**GOOD, "body": ["not", "a", "string"]}))
    assert "body" in info.value.detail


def test_title_may_be_null_and_naive_or_partial_dates_become_utc() -> None:
    a = decode_article(json.dumps({**GOOD, "title": None, "published_at": "2024-03"}))
    assert a.title is None
    assert a.published_at == datetime(2024, 3, 1, tzinfo=UTC)
    b = decode_article(json.dumps({**GOOD, "published_at": "2024-03-05T10:00:00"}))
    assert b.published_at == datetime(2024, 3, 5, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe", "not_utf8"),
        (b"{not json", "invalid_json"),
        (b"[" * 200 + b"]" * 200, "too_deep"),
        (b"[1, 2]", "invalid_article"),
    ],
)
def test_bad_bytes_give_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ArticleDecodeError) as info:
        decode_article(raw)
    assert info.value.reason == reason


def test_size_limit() -> None:
    raw = json.dumps({**GOOD, "body": "x" * 5000}).encode()
    with pytest.raises(ArticleDecodeError) as info:
        decode_article(raw, max_bytes=1024)
    assert info.value.reason == "too_large"


def test_models_are_frozen() -> None:
    article = decode_article(json.dumps(GOOD))
    with pytest.raises(ValidationError):
        article.body = "changed"  # type: ignore[misc]


def test_alert_id_is_deterministic_and_depends_on_rule_version() -> None:
    a = make_alert_id("a1", "r1", 1, "sanctions_imposed")
    assert a == make_alert_id("a1", "r1", 1, "sanctions_imposed")
    assert a != make_alert_id("a1", "r1", 2, "sanctions_imposed")
    assert a != make_alert_id("a2", "r1", 1, "sanctions_imposed")


def test_alert_round_trips_through_json() -> None:
    article = decode_article(json.dumps(GOOD))
    alert = Alert(
        alert_id=make_alert_id("a1", "r1", 1, "sanctions_imposed"),
        story_key=make_story_key("sanctions_imposed", "EU", "RU"),
        event_type="sanctions_imposed",
        article=AlertArticle.of(article),
        actor=Entity(code="EU", name="European Union"),
        target=Entity(code="RU", name="Russia"),
        confidence=0.9,
        severity="high",
        rule=RuleRef(id="r1", version=1),
        evidence=(Evidence(field="body", start=0, end=4, text="Some text."),),
        detected_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    assert Alert.model_validate_json(alert.model_dump_json()) == alert
    assert alert.story_key == "sanctions_imposed|EU|RU"


@pytest.mark.parametrize("code", ["us", "USA", "E", "nato"])
def test_entity_codes_are_iso_or_known_blocs(code: str) -> None:
    with pytest.raises(ValidationError):
        Entity(code=code, name="x")
