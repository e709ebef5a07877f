"""Bad input: each gets a clear reason on the dead-letter topic, and the detector goes on."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policywatch.detector import DetectorService
from policywatch.engine import Engine
from policywatch.kafka import KafkaClients
from policywatch.models import ArticleDecodeError, decode_article
from policywatch.observability.metrics import Metrics
from policywatch.settings import DetectorSettings, KafkaSettings, Settings, TopicSettings
from tools.harness import produce, read_topic, running

from .procs import article_json

POSITIVE = (
    "Washington has decided to allow Ukraine to use American-supplied ATACMS missiles against "
    "military targets inside Russia, officials said on Tuesday."
)
BASE = json.loads(article_json(0, "x"))


def doc(**changes: object) -> bytes:
    return json.dumps({**BASE, **changes}).encode()


BAD: dict[str, bytes] = {
    "invalid_json": b"this is not json {",
    "not_utf8": b'{"id": "\xc3\x28"}',
    "invalid_article": b'["an", "array", "not", "an", "article"]',
    "missing_field": json.dumps({k: v for k, v in BASE.items() if k != "source"}).encode(),
    "wrong_type": doc(published_at=12.5, body=42),
    "too_large": doc(id="huge", body="word " * 4_200_000),  # ~21 MB
    "too_deep": b'{"id": "deep", "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    "empty_text": doc(id="empty", title=None, body="   "),
}
EXPECTED_REASON = {
    "missing_field": "invalid_article",
    "wrong_type": "invalid_article",
    "empty_text": "invalid_article",
}


@pytest.mark.kafka
@pytest.mark.slow
def test_every_kind_of_bad_input_is_dead_lettered_with_its_reason_and_good_input_still_flows(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    settings = Settings(
        kafka=kafka_settings,
        topics=topic_names,
        detector=DetectorSettings(group_id=f"g-{uuid.uuid4().hex[:8]}", metrics_port=0),
    )
    metrics = Metrics.create()
    weird = doc(
        id="weird",
        title="\u202eRTL\u202c title with \x00 control \x07 chars",
        body="\u200f" + POSITIVE.replace(" ", " \u200b", 3) + "\x1b[31m",
    )
    good = article_json(1, POSITIVE)
    duplicate = article_json(1, POSITIVE)
    values = [*BAD.values(), weird, good, duplicate, article_json(2, POSITIVE)]
    with running(
        DetectorService(settings, Engine.from_paths(), metrics, KafkaClients(settings.kafka))
    ):
        produce(kafka_settings, topic_names.articles, values)
        dead = read_topic(kafka_settings, topic_names.articles_dlq, expect=len(BAD) + 1, timeout=60)
        alerts = read_topic(kafka_settings, topic_names.alerts, expect=2, timeout=30)
    reasons = sorted((r.header("pw-dlq-reason") or b"").decode() for r in dead)
    want = sorted([EXPECTED_REASON.get(k, k) for k in BAD] + ["duplicate"])
    assert reasons == want
    for record in dead:
        assert (record.header("pw-dlq-error") or b"").strip()
    # The oversized article is kept whole on the dead-letter topic: nothing is lost.
    huge = [r for r in dead if r.header("pw-dlq-reason") == b"too_large"]
    assert len(huge[0].value or b"") == len(BAD["too_large"])
    assert {json.loads(r.value or b"")["article"]["id"] for r in alerts} >= {
        "art-00001",
        "art-00002",
    }


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2_000))
def test_the_decoder_never_fails_with_anything_but_a_decode_error_on_bytes(raw: bytes) -> None:
    try:
        decode_article(raw, max_bytes=1_000)
    except ArticleDecodeError as exc:
        assert exc.reason in {
            "too_large",
            "not_utf8",
            "too_deep",
            "invalid_json",
            "invalid_article",
        }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(BASE)), json_values, max_size=8), json_values)
def test_the_decoder_handles_arbitrary_json_shapes(
    fields: dict[str, object], extra: object
) -> None:
    raw = json.dumps({**fields, "extra": extra})
    try:
        article = decode_article(raw)
    except ArticleDecodeError as exc:
        assert exc.reason == "invalid_article"
        return
    assert article.id and article.source


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3_000))
def test_the_engine_never_crashes_on_arbitrary_text(text: str) -> None:
    engine = _engine()
    body = text if text.strip() else "x"
    article = decode_article(doc(id="fuzz", body=body, title=text[:50] or None))
    from datetime import UTC, datetime

    for alert in engine.detect(article, detected_at=datetime.now(UTC)):
        for ev in alert.evidence:
            source = article.body if ev.field == "body" else article.title or ""
            assert source[ev.start : ev.end] in ev.text


_ENGINE: list[Engine] = []


def _engine() -> Engine:
    if not _ENGINE:
        _ENGINE.append(Engine.from_paths())
    return _ENGINE[0]
