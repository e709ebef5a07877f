"""Running the examples written next to each rule (``policywatch rules test``).

A ``match`` example must make *this* rule match (and, when given, with that actor, target and
instruments); a ``no_match`` example must raise no alert of the rule's event type from *any*
rule of the pack. Examples run through the full engine, cues and exceptions included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from policywatch.engine.engine import Engine
from policywatch.engine.rule_language.spec import Example
from policywatch.models import Article

__all__ = ["ExampleFailure", "ExampleReport", "run_examples"]

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ExampleFailure:
    rule_id: str
    file: str
    line: int
    kind: str
    text: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.rule_id} [{self.kind}] {self.reason}\n    {self.text}"
        )


@dataclass(frozen=True)
class ExampleReport:
    passed: int
    failures: tuple[ExampleFailure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def _article(rule_id: str, n: int, language: str | None, ex: Example) -> Article:
    return Article(
        id=f"example:{rule_id}:{n}",
        url=None,
        source="rules-test",
        published_at=None,
        language=language,
        title=ex.title,
        body=ex.text,
    )


def _check_match(engine: Engine, rule_id: str, article: Article, ex: Example) -> str | None:
    result = engine.scan(article, detected_at=_EPOCH)
    mine = [c for c in result.candidates if c.rule.spec.id == rule_id]
    if not mine:
        fired = ", ".join(result.rules_hit) or "none"
        return f"expected a match, got none (rules that matched: {fired})"
    if ex.actor is not None and all(c.actor.code != ex.actor for c in mine):
        return f"expected actor {ex.actor}, got {sorted({c.actor.code for c in mine})}"
    if ex.target is not None and all((c.target and c.target.code) != ex.target for c in mine):
        got = sorted({c.target.code if c.target else "-" for c in mine})
        return f"expected target {ex.target}, got {got}"
    missing = [i for i in ex.instruments if all(i not in c.instruments for c in mine)]
    if missing:
        got_instruments = sorted({i for c in mine for i in c.instruments})
        return f"expected instruments {missing}, got {got_instruments}"
    return None


def run_examples(engine: Engine) -> ExampleReport:
    passed = 0
    failures: list[ExampleFailure] = []
    for f in engine.ruleset.files:
        language = None if f.model.language == "any" else f.model.language
        for i, rule in enumerate(f.model.rules):
            if not rule.enabled:
                continue
            for kind, examples in (
                ("match", rule.examples.match),
                ("no_match", rule.examples.no_match),
            ):
                for j, raw in enumerate(examples):
                    ex = Example(text=raw) if isinstance(raw, str) else raw
                    article = _article(rule.id, j, language, ex)
                    if kind == "match":
                        reason = _check_match(engine, rule.id, article, ex)
                    else:
                        alerts = engine.detect(article, detected_at=_EPOCH)
                        hit = [a for a in alerts if a.event_type == rule.event_type]
                        reason = (
                            f"expected no {rule.event_type} alert, rule {hit[0].rule.id} fired"
                            f" (actor {hit[0].actor.code})"
                            if hit
                            else None
                        )
                    if reason is None:
                        passed += 1
                    else:
                        line = f.line_of(("rules", i, "examples", kind, j))
                        failures.append(
                            ExampleFailure(rule.id, f.path, line, kind, ex.text, reason)
                        )
    return ExampleReport(passed, tuple(failures))
