"""Rule examples: the shipped ones pass, and a failing one is reported where it is written."""

from __future__ import annotations

from policywatch.engine import Engine
from policywatch.quality.examples import run_examples


def test_shipped_rule_examples_all_pass(engine: Engine) -> None:
    report = run_examples(engine)
    assert report.failures == ()
    assert report.passed >= 2 * len(engine.ruleset.rules)


def test_failing_examples_are_reported_with_file_and_line() -> None:
    text = """\
language: en
lists:
  lift: [lift]
entities:
  CA: {name: Canada, terms: [Canada]}
rules:
  - id: t.lift
    version: 1
    event_type: sanctions_lifted
    description: test
    trigger: [$lift]
    when: sanctions
    examples:
      match:
        - text: "Canada lifted sanctions on the bank."
          actor: US
      no_match:
        - "Canada lifted sanctions on the bank."
"""
    report = run_examples(Engine.from_yaml(text))
    assert report.passed == 0
    assert [(f.kind, f.line) for f in report.failures] == [("match", 15), ("no_match", 18)]
    assert "expected actor US" in report.failures[0].reason
