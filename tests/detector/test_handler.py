"""The detector's handler: one record in, alerts or a dead letter out (no broker)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from policywatch.detector.handler import DuplicateWindow, Handler, Outgoing
from policywatch.engine import Engine
from policywatch.engine.engine import ScanResult
from policywatch.kafka import Record
from policywatch.models import Alert, Article
from policywatch.observability.metrics import Metrics
from policywatch.settings import TopicSettings

from .helpers import NEUTRAL, POSITIVE, article

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TOPICS = TopicSettings(articles="in", alerts="out", articles_dlq="in.dlq")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_paths()


def _handler(
    engine: Engine, *, max_bytes: int = 4_096, window: DuplicateWindow | None = None
) -> tuple[Handler, Metrics]:
    metrics = Metrics.create(CollectorRegistry())
    handler = Handler(
        engine,
        TOPICS,
        metrics,
        max_article_bytes=max_bytes,
        duplicates=window or DuplicateWindow(100),
        clock=lambda: NOW,
    )
    return handler, metrics


def _record(
    value: bytes | None, offset: int = 7, headers: tuple[tuple[str, bytes], ...] = ()
) -> Record:
    return Record("in", 2, offset, b"k", value, 1_700_000_000_000, headers)


def test_an_article_reporting_a_policy_shift_becomes_an_alert_keyed_by_its_story(
    engine: Engine,
) -> None:
    handler, metrics = _handler(engine)
    [out] = handler.handle(_record(article(1, POSITIVE)))
    assert out.topic == "out"
    assert out.alert is not None and out.reason is None
    alert = Alert.model_validate_json(out.value)
    assert alert == out.alert
    assert alert.event_type == "weapons_restriction_lifted"
    assert alert.detected_at == NOW
    assert out.key == alert.story_key.encode()
    headers = dict(out.headers)
    assert headers["pw-article-id"] == b"art-1"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_id"] == alert.alert_id.encode()
    assert headers["ce_type"] == b"policywatch.alert.weapons_restriction_lifted"
    assert headers["ce_source"] == b"/policywatch/detector"
    assert datetime.fromisoformat(headers["ce_time"].decode()) == alert.detected_at
    assert headers["content-type"] == b"application/json"
    labels = {"event_type": alert.event_type, "rule": alert.rule.id, "severity": alert.severity}
    # Counted when the broker acknowledges it (the loop), not when the handler builds it.
    assert metrics.registry.get_sample_value("policywatch_alerts_produced_total", labels) is None
    assert (
        metrics.registry.get_sample_value(
            "policywatch_messages_decoded_total", {"service": "detector"}
        )
        == 1.0
    )


def test_an_ordinary_article_gives_nothing(engine: Engine) -> None:
    handler, _ = _handler(engine)
    assert handler.handle(_record(article(1, NEUTRAL))) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "empty"),
        (b"", "empty"),
        (b"\xff\xfe\x00", "not_utf8"),
        (b"not json at all", "invalid_json"),
        (b'{"id": "x"}', "invalid_article"),
        (article(1, POSITIVE + " " + "filler " * 1_000), "too_large"),
        (b"[" * 5_000 + b"]" * 5_000, "too_deep"),
    ],
)
def test_unreadable_records_are_dead_lettered_with_their_reason_and_origin(
    engine: Engine, value: bytes | None, reason: str
) -> None:
    handler, metrics = _handler(engine, max_bytes=4_096 if reason != "too_deep" else 100_000)
    [out] = handler.handle(_record(value, headers=(("trace", b"abc"),)))
    assert out.topic == "in.dlq"
    assert out.alert is None
    assert out.reason == reason
    assert out.value == (value or b"")
    assert out.key == b"k"
    headers = dict(out.headers)
    assert headers["trace"] == b"abc"  # the original headers travel with it
    assert headers["pw-dlq-service"] == b"detector"
    assert headers["pw-dlq-error"]
    assert headers["pw-original-topic"] == b"in"
    assert headers["pw-original-partition"] == b"2"
    assert headers["pw-original-offset"] == b"7"
    assert headers["pw-original-timestamp"] == b"1700000000000"
    assert (
        metrics.registry.get_sample_value(
            "policywatch_messages_dead_lettered_total", {"service": "detector", "reason": reason}
        )
        == 1.0
    )


def test_a_republished_article_is_a_duplicate_unless_its_first_copy_was_rewound(
    engine: Engine,
) -> None:
    window = DuplicateWindow(100)
    handler, _ = _handler(engine, window=window)
    value = article(1, POSITIVE)
    assert handler.handle(_record(value, offset=1))[0].alert is not None
    [dup] = handler.handle(_record(value, offset=2))
    assert dup.reason == "duplicate"
    # The first copy's work was rewound (not committed): handled again, it is no duplicate.
    window.forget()
    assert handler.handle(_record(value, offset=1))[0].alert is not None
    window.commit()
    assert handler.handle(_record(value, offset=3))[0].reason == "duplicate"
    # Same id, different body: another article.
    assert handler.handle(_record(article(1, POSITIVE + " More."), offset=4))[0].alert is not None


def test_the_duplicate_window_forgets_the_oldest_articles_beyond_its_size(engine: Engine) -> None:
    window = DuplicateWindow(2)
    handler, _ = _handler(engine, window=window)
    for n in range(3):
        handler.handle(_record(article(n, NEUTRAL)))
        window.commit()
    assert handler.handle(_record(article(0, NEUTRAL))) == []  # forgotten: not a duplicate
    assert handler.handle(_record(article(2, NEUTRAL)))[0].reason == "duplicate"


class _BrokenEngine(Engine):
    def scan(self, article: Article, *, detected_at: datetime) -> ScanResult:
        raise RuntimeError("rule bug")


def test_an_engine_error_dead_letters_the_article_and_the_next_one_goes_on(
    engine: Engine,
) -> None:
    handler, _ = _handler(_BrokenEngine(engine.ruleset))
    [out] = handler.handle(_record(article(1, POSITIVE)))
    assert out.reason == "detection_error"
    assert "rule bug" in dict(out.headers)["pw-dlq-error"].decode()
    handler.engine = engine  # a reload swaps the engine in place
    assert handler.handle(_record(article(2, POSITIVE)))[0].alert is not None


def test_every_outgoing_message_remembers_the_record_it_came_from(engine: Engine) -> None:
    handler, _ = _handler(engine)
    record = _record(article(1, POSITIVE))
    outs: list[Outgoing] = [*handler.handle(record), *handler.handle(_record(b"x", offset=8))]
    assert [o.record.offset for o in outs] == [7, 8]
