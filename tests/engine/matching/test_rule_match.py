"""One rule at one trigger hit: its ``when`` tree and ``unless`` exceptions in their scopes."""

from __future__ import annotations

import pytest

from policywatch.engine import Engine
from tests.engine.conftest import detect

PACK = """\
language: en
lists:
  lift: [lift]
  sanction: [sanction]
  bank: [bank, lender]
  rumour: [rumour]
entities:
  CA: {name: Canada, terms: [Canada]}
rules:
  - id: t.lift
    version: 1
    event_type: sanctions_lifted
    description: test
    trigger: [$lift]
    scope: sentence
    when:
      all:
        - $sanction
        - any: [$bank, central]
        - not: partially
    unless:
      - scope: article
        when: $rumour
"""


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_yaml(PACK)


@pytest.mark.parametrize(
    "body",
    [
        "Canada lifted sanctions on the bank.",
        "Canada lifted sanctions on the country's lender.",
        "Canada lifted sanctions on the central authority.",
    ],
)
def test_every_part_of_all_and_one_part_of_any_make_it_match(engine: Engine, body: str) -> None:
    assert [a.event_type for a in detect(engine, body)] == ["sanctions_lifted"]


@pytest.mark.parametrize(
    "body",
    [
        "Canada lifted sanctions on the ministry.",
        "Canada lifted its ban on the bank.",
        "Canada partially lifted sanctions on the bank.",
        "Canada lifted sanctions. The bank was glad.",
        "A rumour spread.\nCanada lifted sanctions on the bank.",
    ],
)
def test_a_missing_part_a_negated_term_another_sentence_or_an_exception_stop_it(
    engine: Engine, body: str
) -> None:
    assert detect(engine, body) == []


def test_the_trigger_itself_cannot_satisfy_the_condition() -> None:
    engine = Engine.from_yaml(PACK.replace("- $sanction", "- $lift"))
    assert detect(engine, "Canada lifted sanctions on the bank.") == []
    assert len(detect(engine, "Canada lifted and will lift sanctions on the bank.")) == 1


def test_a_list_marked_with_trigger_may_be_satisfied_by_the_trigger_itself() -> None:
    pack = PACK.replace("- $sanction", "- $lift").replace(
        "  lift: [lift]", "  lift: {with_trigger: true, terms: [lift]}"
    )
    engine = Engine.from_yaml(pack)
    assert len(detect(engine, "Canada lifted sanctions on the bank.")) == 1


def test_a_list_with_exact_accents_tells_umlauts_apart() -> None:
    pack = PACK.replace("  rumour: [rumour]", "  rumour: {accents: true, terms: [gerücht]}")
    engine = Engine.from_yaml(pack)
    assert detect(engine, "Canada lifted sanctions on the bank. Gerücht.") == []
    assert len(detect(engine, "Canada lifted sanctions on the bank. Geruecht. Gerucht.")) == 1
