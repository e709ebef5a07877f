from __future__ import annotations

from policywatch import engine as engine_pkg
from policywatch.engine import Engine
from policywatch.models import Article
from tests.engine.conftest import NOW
from tests.engine.rule_term_oracle import RuleTermOracle
from tests.engine.synthetic_rules import (
    synthetic_article_text,
    synthetic_rule_files,
    synthetic_vocabulary,
)


def test_public_names_are_sorted_and_exported() -> None:
    def isort_style(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert engine_pkg.__all__ == sorted(engine_pkg.__all__, key=isort_style)
    assert {"Engine", "ScanResult", "load_rules"} <= set(engine_pkg.__all__)


def test_synthetic_rule_sets_have_the_requested_size() -> None:
    engine = Engine.from_rules(synthetic_rule_files(10, 100))
    assert engine.rule_count == 10
    assert engine.phrase_count >= 100
    assert len(synthetic_vocabulary(30)) == 30


def test_rule_term_oracle_agrees_with_the_engine_on_which_rules_wake() -> None:
    files = synthetic_rule_files(20, 200, seed=3)
    engine = Engine.from_rules(files)
    oracle = RuleTermOracle(engine.ruleset)
    words = [t for spec in files[0].lists.values() for t in spec.terms][:15]  # type: ignore[union-attr]
    for seed in range(5):
        body = synthetic_article_text(1500, hit_words=words, seed=seed)
        article = Article(
            id=str(seed),
            url=None,
            source="s",
            published_at=None,
            language="en",
            title=None,
            body=body,
        )
        result = engine.scan(article, detected_at=NOW)
        assert sorted(result.rules_evaluated) == sorted(oracle.rules_hit(article))
