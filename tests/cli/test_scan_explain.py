from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from policywatch.cli.main import main
from policywatch.engine import Engine
from policywatch.engine.matching.trace import Trace
from policywatch.models import Article

NOW = datetime(2025, 3, 1, tzinfo=UTC)

#: A pack of our own, so the explanations tested here do not move with the shipped rules.
PACK = """\
language: en
lists:
  sanction: [sanctions]
  deploy: [deploys troops]
cues:
  maybe:
    effect: veto
    before: 3
    terms: [could]
  undo:
    effect: reverse
    before: 3
    terms: [scrapped]
  restrictions:
    effect: restriction
    terms: [sanctions]
  hearsay:
    effect: downgrade
    factor: 0.5
    before: 4
    terms: [reportedly]
calendar:
  months: [[January], [February], [March], [April], [May], [June], [July], [August],
           [September], [October], [November], [December]]
entities:
  DK: {name: Denmark, terms: [Denmark]}
  CL: {name: Chile, terms: [Chile]}
rules:
  - id: t.impose
    version: 1
    event_type: sanctions_imposed
    description: test
    trigger: [$sanction]
    scope: sentence
  - id: t.deploy
    version: 1
    event_type: troop_deployment
    description: test
    trigger: [$deploy]
    scope: sentence
"""

VETOED = "Denmark could impose sanctions on Chile."
REVERSED = "Denmark scrapped its sanctions on Chile."
DATED = "Denmark imposed sanctions on Chile in March 2019."
DOWNGRADED = "Denmark reportedly deploys troops to Chile."


def article(aid: str, body: str) -> Article:
    return Article(
        id=aid,
        url=None,
        source="tests",
        published_at=date(2025, 3, 1),
        language="en",
        title=None,
        body=body,
    )


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_yaml(PACK)


def test_explain_shows_vetoed_reversed_dated_and_downgraded_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "pack.yaml").write_text(PACK)
    path = tmp_path / "in.jsonl"
    bodies = (("veto", VETOED), ("rev", REVERSED), ("old", DATED), ("heard", DOWNGRADED))
    path.write_text("\n".join(article(a, b).model_dump_json() for a, b in bodies) + "\n")
    assert main(["scan", "--explain", "--rules", str(tmp_path / "rules"), str(path)]) == 0
    out = capsys.readouterr().out
    veto, rev, old, heard = out.split("\n\n")[:4]
    assert veto.startswith("article veto: 0 alert(s), 1 rule match(es) tried")
    assert "rule t.impose: trigger 'sanctions' in the body" in veto
    assert "outcome: rejected: vetoed by cue 'maybe': 'could'" in veto
    assert "ALERT sanctions_lifted  DK → CL  confidence 0.80  rule t.impose" in rev
    assert "event type: sanctions_lifted" in rev
    assert "reverse cue 'undo': 'scrapped'" in rev
    assert "direction: reversed by 'scrapped'" in rev
    assert "outcome: alert: the strongest sanctions_lifted candidate" in rev
    assert "time: no date near the event (taken as current)" in rev
    assert "outcome: rejected: background: dated 'March 2019' (before 2025-03-01)" in old
    assert "downgrade cue 'hearsay' (×0.5): 'reportedly'" in heard
    assert "outcome: below threshold: raw confidence 0.40 is below min_confidence 0.5" in heard
    assert "factuality: downgraded ×0.50" in heard
    # --explain replaces the alert lines: nothing on stdout is JSON.
    for text_line in out.splitlines():
        with pytest.raises(json.JSONDecodeError):
            json.loads(text_line or "x")


def test_a_trace_changes_nothing_the_scan_returns(engine: Engine) -> None:
    for body in (VETOED, REVERSED, DATED, DOWNGRADED):
        plain = engine.scan(article("a", body), detected_at=NOW)
        trace = Trace()
        traced = engine.scan(article("a", body), detected_at=NOW, trace=trace)
        assert plain.alerts == traced.alerts
        assert plain.rules_hit == traced.rules_hit
        assert [s.rule for s in trace.steps] == list(plain.rules_evaluated)
        assert all(s.outcome for s in trace.steps)


def test_arbitration_and_merging_are_explained(engine: Engine) -> None:
    # The lifting is told first; the imposition in the next sentence is its mirror. A second
    # reading of the lifting adds nothing to the alert it merges into.
    body = f"{REVERSED} Denmark imposed sanctions on Chile. {REVERSED}"
    trace = Trace()
    result = engine.scan(article("a", body), detected_at=NOW, trace=trace)
    assert [a.event_type for a in result.alerts] == ["sanctions_lifted"]
    assert [(s.event_type, s.outcome) for s in trace.steps] == [
        ("sanctions_lifted", "alert"),
        ("sanctions_imposed", "dropped by arbitration"),
        ("sanctions_lifted", "merged"),
    ]
    assert trace.steps[1].reason == (
        "mirror of sanctions_lifted (t.impose), which the article tells first"
    )
    assert trace.steps[2].reason == "another candidate (t.impose) is this alert's evidence"


#: Rules that need a word beside their trigger: in the sentence, and in the article.
NEEDY = """\
language: en
lists:
  sanction: [sanctions]
  impose: [imposed]
  troops: [troops]
  deploy: [deploys]
entities:
  DK: {name: Denmark, terms: [Denmark]}
rules:
  - id: t.impose
    version: 1
    event_type: sanctions_imposed
    description: test
    trigger: [$sanction]
    scope: sentence
    when: $impose
  - id: t.deploy
    version: 1
    event_type: troop_deployment
    description: test
    trigger: [$deploy]
    scope: sentence
    when: $troops
"""


def test_explain_names_the_word_a_rule_lacked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "pack.yaml").write_text(NEEDY)
    path = tmp_path / "in.jsonl"
    body = "Denmark imposed a fine. Denmark weighs sanctions. Denmark deploys ships."
    path.write_text(article("needy", body).model_dump_json() + "\n")
    assert main(["scan", "--explain", "--rules", str(tmp_path / "rules"), str(path)]) == 0
    out = capsys.readouterr().out
    # in the article, but not in the trigger's sentence
    assert (
        "outcome: rejected: condition not met: no word of list:en:impose in the trigger's sentence"
    ) in out
    # nowhere in the article: the rule is not tried at all
    assert "not tried: the trigger is here, but a word the rule needs is not" in out
    assert "- rule t.deploy: no word of list:en:troops" in out
    assert "no rule woke" not in out
