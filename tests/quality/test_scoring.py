from __future__ import annotations

from pathlib import Path

import pytest

from policywatch.engine import Engine
from policywatch.models import Alert, AlertArticle, Article, Entity, Evidence, RuleRef
from policywatch.quality.scoring import (
    LabelledArticle,
    Labels,
    evaluate,
    format_report,
    parse_labelled,
)
from tests.engine.conftest import NOW, make_article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labelled_en.jsonl"


def fake_alert(article: Article, event_type: str, actor: str) -> Alert:
    return Alert(
        alert_id="x",
        story_key="k",
        event_type=event_type,  # type: ignore[arg-type]
        article=AlertArticle.of(article),
        actor=Entity(code=actor, name=actor),
        target=None,
        confidence=0.9,
        severity="high",
        rule=RuleRef(id="r", version=1),
        evidence=(Evidence(field="body", start=0, end=1, text=article.body),),
        detected_at=NOW,
    )


def item(
    body: str, events: tuple[str, ...], actor: str | None, ignore: tuple[str, ...] = ()
) -> LabelledArticle:
    return LabelledArticle(
        make_article(body),
        Labels(events=events, ignore=ignore, actor=actor),  # type: ignore[arg-type]
    )


def test_pairs_are_scored_with_ignore_and_actor_accuracy() -> None:
    items = [
        item("a", ("sanctions_imposed",), "US"),
        item("b", ("sanctions_lifted",), "EU"),
        item("c", (), None, ignore=("embargo_imposed",)),
        item("d", ("aid_resumed",), "DE"),
    ]
    predictions = {
        "a": [("sanctions_imposed", "US")],
        "b": [("sanctions_lifted", "FR"), ("troop_deployment", "FR")],
        "c": [("embargo_imposed", "CN")],
        "d": [],
    }

    def detect(article: Article) -> list[Alert]:
        return [fake_alert(article, t, a) for t, a in predictions[article.body]]

    report = evaluate(detect, items)
    assert (report.overall.tp, report.overall.fp, report.overall.fn) == (2, 1, 1)
    assert report.overall.precision == pytest.approx(2 / 3)
    assert report.overall.recall == pytest.approx(2 / 3)
    assert report.actor_accuracy == pytest.approx(0.5)
    assert report.by_type["troop_deployment"].fp == 1
    assert report.duplicate_articles == 0
    kinds = sorted(f.kind for f in report.findings)
    assert kinds == ["false_negative", "false_positive", "wrong_actor"]
    text = format_report(report)
    assert "false_positive" in text and "per event type" in text
    assert report.to_dict()["overall"]["tp"] == 2


def test_duplicate_alerts_for_one_type_are_counted() -> None:
    def detect(article: Article) -> list[Alert]:
        return [fake_alert(article, "aid_resumed", "DE")] * 2

    report = evaluate(detect, [item("d", ("aid_resumed",), "DE")])
    assert report.duplicate_articles == 1


def test_labelled_lines_parse_and_bad_lines_raise() -> None:
    line = (
        '{"id": "1", "url": null, "source": "s", "published_at": null, "language": "en",'
        ' "title": null, "body": "text", "labels": {"events": ["aid_resumed"], "actor": "DE"}}'
    )
    parsed = parse_labelled(line)
    assert parsed.labels.events == ("aid_resumed",)
    with pytest.raises(ValueError):
        parse_labelled('{"id": "1", "labels": {"events": ["nope"]}}')
    with pytest.raises(ValueError):
        parse_labelled("not json")


def test_labelled_fixtures_meet_the_quality_bar(engine: Engine) -> None:
    items = [parse_labelled(line) for line in FIXTURES.read_text().splitlines() if line.strip()]
    positives = {t for i in items for t in i.labels.events}
    assert len(positives) == 12
    assert sum(1 for i in items if not i.labels.events) >= 40
    report = evaluate(lambda a: engine.detect(a, detected_at=NOW), items)
    assert report.overall.precision >= 0.90, format_report(report)
    assert report.overall.recall >= 0.85, format_report(report)
    assert report.actor_accuracy >= 0.90, format_report(report)
    assert report.duplicate_articles == 0
