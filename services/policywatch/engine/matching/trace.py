"""What the engine decided at each (rule, trigger hit), and why: ``policywatch scan --explain``.

A :class:`Trace` is an optional collector handed to ``Engine.scan``; without one the engine
does no tracing work at all (each decision point tests ``trace is not None`` only where it
already rejects a match). With one, every trigger hit of every rule that woke leaves a
:class:`Step`: the trigger words, the words that satisfied the rule's condition, the cues that
applied, the time, direction and factuality decisions, and its outcome — rejected (with the
reason), below the confidence threshold, dropped by arbitration, merged into another alert of
its type, or the alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policywatch.engine.rule_language.conditions import AllCond, AnyCond, Cond, NotCond, SetCond

if TYPE_CHECKING:
    from policywatch.engine.matching.rule_match import Candidate
    from policywatch.engine.matching.scanner import ArticleContext, Hit
    from policywatch.engine.rule_language.compiler import CompiledRule

__all__ = ["Step", "Trace", "describe_condition"]

#: Outcomes, in the order a step can reach them.
REJECTED = "rejected"
BELOW_THRESHOLD = "below threshold"
ARBITRATED = "dropped by arbitration"
MERGED = "merged"
ALERT = "alert"


@dataclass
class Step:
    """One rule at one trigger hit."""

    rule: str
    event_type: str
    part: str
    trigger: str
    outcome: str = ""
    reason: str = ""
    #: ``set name: 'words'`` for every term that satisfied the rule's condition.
    conditions: list[str] = field(default_factory=list)
    #: ``effect cue 'name': 'words'`` for every cue that applied (veto, downgrade, reverse).
    cues: list[str] = field(default_factory=list)
    #: Time, direction and factuality, in words ("no date near the event", "reversed by ...").
    decisions: list[str] = field(default_factory=list)
    confidence: float | None = None
    actor: str | None = None
    target: str | None = None
    evidence: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "event_type": self.event_type,
            "part": self.part,
            "trigger": self.trigger,
            "outcome": self.outcome,
            "reason": self.reason,
            "conditions": self.conditions,
            "cues": self.cues,
            "decisions": self.decisions,
            "confidence": self.confidence,
            "actor": self.actor,
            "target": self.target,
            "evidence": self.evidence,
        }


@dataclass
class Trace:
    """Collects the steps of one or more scans (``Engine.scan(..., trace=Trace())``)."""

    steps: list[Step] = field(default_factory=list)
    #: Set by the engine: set ids to names ("list:en:sanction_nouns"), for the words above.
    set_names: dict[int, str] = field(default_factory=dict)
    #: Rules whose trigger the article holds but which lack a needed word in all of it:
    #: ``(rule id, group in words)``.
    missing: list[tuple[str, str]] = field(default_factory=list)
    #: The step of each candidate that survived matching, by ``id(candidate)``.
    _by_candidate: dict[int, Step] = field(default_factory=dict)

    def begin(self, rule: CompiledRule, ctx: ArticleContext, hit: Hit) -> Step:
        ft = ctx.fields[hit.field]
        step = Step(
            rule=rule.spec.id,
            event_type=rule.spec.event_type,
            part=ft.name,
            trigger=ft.text[hit.start : hit.end],
        )
        self.steps.append(step)
        return step

    def words(self, ctx: ArticleContext, hits: Iterable[Hit]) -> list[str]:
        return [
            f"{self.set_name(h.set_id)}: {ctx.fields[h.field].text[h.start : h.end]!r}"
            for h in hits
        ]

    def set_name(self, set_id: int) -> str:
        return self.set_names.get(set_id, f"set {set_id}")

    def group_name(self, group: Iterable[int]) -> str:
        """A group of sets a rule requires, any of which will do: ``any(list:en:x, ...)``."""
        names = sorted(self.set_name(s) for s in group)
        return names[0] if len(names) == 1 else "any(" + ", ".join(names) + ")"

    def unready(self, rule: CompiledRule, group: Iterable[int]) -> None:
        """``rule`` had its trigger in the article but no word of ``group`` anywhere in it, so
        no trigger hit of it was tried."""
        self.missing.append((rule.spec.id, self.group_name(group)))

    def matched(self, step: Step, candidate: Candidate) -> None:
        step.outcome = "matched"
        step.event_type = candidate.event_type or step.event_type
        step.confidence = candidate.confidence
        step.actor = candidate.actor.code
        step.target = candidate.target.code if candidate.target else None
        step.evidence = candidate.evidence.text
        self._by_candidate[id(candidate)] = step

    def step_of(self, candidate: Candidate) -> Step | None:
        return self._by_candidate.get(id(candidate))

    def below_threshold(self, candidate: Candidate, threshold: float) -> None:
        step = self.step_of(candidate)
        if step is not None:
            step.outcome = BELOW_THRESHOLD
            step.reason = (
                f"raw confidence {candidate.confidence:.2f} is below min_confidence {threshold:g}"
            )

    def arbitrated(self, candidates: Iterable[Candidate], why: dict[int, str]) -> None:
        for c in candidates:
            step = self.step_of(c)
            if step is not None and id(c) in why:
                step.outcome = ARBITRATED
                step.reason = why[id(c)]

    def alerted(
        self, best: Candidate, group: Iterable[Candidate], confidence: float, calibrated: bool
    ) -> None:
        for c in group:
            step = self.step_of(c)
            if step is None:
                continue
            if c is best:
                step.outcome = ALERT
                step.reason = (
                    f"the strongest {c.event_type} candidate; confidence {confidence:.2f}"
                    + (" (calibrated)" if calibrated else " (the rule's own)")
                )
                step.confidence = confidence
            else:
                step.outcome = MERGED
                step.reason = f"another candidate ({best.rule.spec.id}) is this alert's evidence"


def reject(step: Step, reason: str) -> None:
    step.outcome = REJECTED
    step.reason = reason


def describe_condition(cond: Cond, trace: Trace) -> str:
    """A condition tree in words: ``all(list:en:x, any(list:en:y, list:en:z))``."""
    if type(cond) is SetCond:
        return trace.set_name(cond.set_id)
    if type(cond) is AllCond:
        return "all(" + ", ".join(describe_condition(c, trace) for c in cond.parts) + ")"
    if type(cond) is AnyCond:
        return "any(" + ", ".join(describe_condition(c, trace) for c in cond.parts) + ")"
    assert type(cond) is NotCond
    return "not " + describe_condition(cond.part, trace)
