from __future__ import annotations

import json

from policywatch.models import Alert, Article
from policywatch.quality.runs import compare, format_comparison, run_dict
from policywatch.quality.scoring import LabelledArticle, Labels, evaluate
from tests.engine.conftest import make_article
from tests.quality.test_scoring import fake_alert


def labelled(aid: str, body: str, events: tuple[str, ...], language: str = "en") -> LabelledArticle:
    article = make_article(body, language=language).model_copy(update={"id": aid})
    return LabelledArticle(article, Labels(events=events, actor="US" if events else None))  # type: ignore[arg-type]


ITEMS = [
    labelled("pos-1", "one", ("sanctions_imposed",)),
    labelled("pos-2", "two", ("aid_resumed",)),
    labelled("neg-en", "three", ()),
    labelled("neg-de", "four", (), language="de"),
    labelled("neg-de-2", "five", (), language="de"),
]


def run_with(predictions: dict[str, list[str]]) -> dict[str, object]:
    def detect(article: Article) -> list[Alert]:
        return [fake_alert(article, t, "US") for t in predictions.get(article.body, [])]

    return run_dict(evaluate(detect, ITEMS))


def test_no_event_articles_report_their_false_alert_rate_per_language() -> None:
    def detect(article: Article) -> list[Alert]:
        return [fake_alert(article, "troop_deployment", "US")] if article.body == "four" else []

    report = evaluate(detect, ITEMS)
    assert report.no_event["de"].articles == 2 and report.no_event["de"].alerted == 1
    assert report.no_event["en"].alerted == 0
    overall = report.no_event_overall
    assert (overall.articles, overall.alerted) == (3, 1)
    assert report.to_dict()["no_event"]["all"]["rate"] == round(1 / 3, 4)


def test_a_saved_run_holds_figures_and_ids_but_no_text() -> None:
    saved = run_with({"one": ["sanctions_imposed"], "three": ["troop_deployment"]})
    text = json.dumps(saved)
    for body in ("one", "two", "three", "four", "five"):
        assert f'"{body}"' not in text
    assert saved["outcomes"]["pos-1"]["tp"] == {"sanctions_imposed": "r"}  # type: ignore[index]
    assert saved["outcomes"]["neg-en"]["fp"] == {"troop_deployment": "r"}  # type: ignore[index]
    assert saved["by_rule"] == {  # the fake detector's alerts all come from rule "r"
        "r": {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1.0, "f1": 0.6667}
    }


def test_compare_lists_what_a_change_won_and_broke() -> None:
    before = run_with({"one": ["sanctions_imposed"], "three": ["troop_deployment"]})
    after = run_with({"two": ["aid_resumed"], "four": ["embargo_imposed"]})
    cmp = compare(before, after)
    won = {(c.article_id, c.event_type, c.before, c.after) for c in cmp.won}
    broke = {(c.article_id, c.event_type, c.before, c.after) for c in cmp.broke}
    assert won == {("pos-2", "aid_resumed", "fn", "tp"), ("neg-en", "troop_deployment", "fp", "")}
    assert broke == {
        ("pos-1", "sanctions_imposed", "tp", "fn"),
        ("neg-de", "embargo_imposed", "", "fp"),
    }
    assert set(cmp.by_type) == {
        "aid_resumed",
        "embargo_imposed",
        "sanctions_imposed",
        "troop_deployment",
    }
    assert cmp.by_type["aid_resumed"] == (
        {"tp": 0, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.0, "f1": 0.0},
        {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0},
    )
    assert cmp.no_event[0]["alerted"] == 1 and cmp.no_event[1]["alerted"] == 1
    text = format_comparison(cmp, label="before.json")
    assert "won (2)" in text and "broke (2)" in text
    assert "pos-1  sanctions_imposed: tp → fn" in text


def test_compare_of_identical_runs_reports_no_change() -> None:
    run = run_with({"one": ["sanctions_imposed"]})
    cmp = compare(run, run)
    assert not cmp.changes and not cmp.by_rule and not cmp.by_type
    assert "no article changed outcome" in format_comparison(cmp)
