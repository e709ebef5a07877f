"""The :class:`Engine`: compiled rules in, alerts out. Pure: no I/O beyond reading rule files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from policywatch.engine.calibration import Calibration, CalibrationError
from policywatch.engine.matching.arbitration import arbitrate
from policywatch.engine.matching.rule_match import Candidate, match_rule
from policywatch.engine.matching.scanner import Hit, Scanner, article_fields
from policywatch.engine.matching.trace import Trace
from policywatch.engine.rule_language.compiler import CompiledPack, CompiledRule, compile_rules
from policywatch.engine.rule_language.loader import (
    LoadedFile,
    RuleSet,
    builtin_rules_dir,
    load_rules,
    load_rules_text,
)
from policywatch.engine.rule_language.spec import RuleFile
from policywatch.engine.text.headlines import kicker
from policywatch.engine.text.language_id import LanguageResolver
from policywatch.engine.text.normalize import words_of
from policywatch.errors import RuleErrors
from policywatch.models import (
    Alert,
    AlertArticle,
    Article,
    Evidence,
    RuleRef,
    make_alert_id,
    make_story_key,
)

__all__ = ["DEFAULT_MIN_CONFIDENCE", "Engine", "ScanResult"]

#: Candidates whose raw confidence (the rule's ``confidence`` times its cue downgrades) falls
#: below this raise no alert. The threshold reads the raw value, not the calibrated one: a
#: calibration table changes how sure an alert says it is, never which alerts fire.
DEFAULT_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class ScanResult:
    """What one scan found: the alerts (one per event type), and which rules woke and matched."""

    alerts: tuple[Alert, ...]
    rules_evaluated: tuple[str, ...]
    rules_hit: tuple[str, ...]
    candidates: tuple[Candidate, ...] = ()


def _rule_sets(rule: CompiledRule, pack: CompiledPack) -> frozenset[int]:
    """Every set whose hits evaluating ``rule`` may read: only those become :class:`Hit`s."""
    lang = pack.languages[rule.language]
    sets = set(rule.trigger_sets) | set(rule.instrument_sets)
    if rule.when is not None:
        sets |= rule.when.sets
    for guard in rule.guards:
        sets |= guard.condition.sets
    sets |= (
        {c.set_id for c in rule.cues}
        | lang.break_sets
        | lang.shield_sets
        | lang.restriction_sets
        | lang.permission_sets
    )
    sets.add(lang.entity_set)
    return frozenset(sets)


#: A hit's ``(field, start)``.
_BY_POSITION = itemgetter(1, 2)


@lru_cache(maxsize=4096)
def _rule_ref(rule_id: str, version: int) -> RuleRef:
    return RuleRef(id=rule_id, version=version)


def _genre(article: Article, languages: Iterable[str], pack: CompiledPack) -> str | None:
    """The label of a piece that reports no decision ("Opinion", "Explainer", "Fact check"),
    when the title's kicker is one of the packs' ``genres``."""
    label = kicker(article.title or "")
    if label is None:
        return None
    words = tuple(words_of(label))
    for lang in languages:
        if words in pack.languages[lang].genres:
            return label
    return None


def _strength(c: Candidate) -> tuple[bool, float, bool, int, int]:
    """How strongly a candidate proves its event: told in the title or lead, confidence, a
    known target, then earliest. The lead first because news puts the decision there; a
    surer rule deeper in the body more often tells an older or another state's measure of
    the same type ("... read as a response to American limits on chip sales")."""
    return (c.lead, c.confidence, c.target is not None, -c.field, -c.start)


def _same_event(c: Candidate, best: Candidate) -> bool:
    """Whether ``c`` tells the same story as ``best``: same actor, no conflicting target."""
    return c.actor.code == best.actor.code and (
        c.target is None or best.target is None or c.target.code == best.target.code
    )


#: The result of most scans (frozen, so one instance serves them all).
_NOTHING = ScanResult((), (), ())


class Engine:
    """Detects policy-shift events in articles with a compiled rule pack."""

    def __init__(
        self,
        ruleset: RuleSet,
        *,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        calibration: Calibration | None = None,
    ) -> None:
        self.ruleset = ruleset
        #: Measured precision per rule; ``None`` keeps each rule's own ``confidence``.
        self.calibration = calibration
        self.pack: CompiledPack = compile_rules(ruleset)
        self.min_confidence = min_confidence
        self._rule_ids = tuple(dict.fromkeys(r.spec.id for r in self.pack.rules))
        decisive = {sid for r in self.pack.rules for group in r.required for sid in group}
        self._scanner = Scanner(self.pack, frozenset(decisive))
        #: Rules in evaluation order (by id), and for each trigger set the rules it wakes.
        self._order = sorted(self.pack.rules, key=lambda r: r.spec.id)
        wakes: dict[int, list[int]] = {}
        for i, rule in enumerate(self._order):
            for sid in rule.trigger_sets:
                wakes.setdefault(sid, []).append(i)
        self._wakes = {sid: frozenset(rules) for sid, rules in wakes.items()}
        self._trigger_sets = frozenset(wakes)
        self._rule_sets = [_rule_sets(r, self.pack) for r in self._order]
        self._languages = LanguageResolver(self.pack.languages)
        #: Separable-verb particles per set of scanned languages (few distinct sets).
        self._particles: dict[frozenset[str], frozenset[str]] = {}

    @classmethod
    def from_paths(cls, paths: Sequence[Path] = ()) -> Engine:
        """Load rule files/directories (the built-in pack when empty), with the calibration
        table of the first directory that has one; raises ``RuleErrors``, ``CalibrationError``."""
        roots = [Path(p) for p in paths] or [builtin_rules_dir()]
        ruleset = load_rules(paths)
        try:
            calibration = Calibration.find(roots)
        except CalibrationError as exc:
            raise RuleErrors([exc]) from exc
        return cls(ruleset, calibration=calibration)

    @classmethod
    def from_yaml(cls, texts: Sequence[str] | str) -> Engine:
        """Build from YAML text (tests and synthetic benchmarks)."""
        return cls(load_rules_text(texts))

    @classmethod
    def from_rules(cls, files: Sequence[RuleFile]) -> Engine:
        """Build from rule-file models constructed in code."""
        loaded = tuple(LoadedFile(f"<memory#{i}>", f) for i, f in enumerate(files))
        return cls(RuleSet(loaded))

    @property
    def rule_count(self) -> int:
        return len(self._rule_ids)

    @property
    def phrase_count(self) -> int:
        return self.pack.phrase_count

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return self._rule_ids

    def scan(
        self, article: Article, *, detected_at: datetime, trace: Trace | None = None
    ) -> ScanResult:
        """Alerts for ``article``. With ``trace``, every (rule, trigger hit) considered leaves a
        step there, saying what was decided and why (``policywatch scan --explain``)."""
        if trace is not None:
            trace.set_names = self.pack.set_names
        languages = self._languages.initial(article)
        if not languages:
            return _NOTHING
        fields = article_fields(article)
        matches, present = self._scanner.matches(fields)
        particles = self._particles.get(languages)
        if particles is None:
            particles = self._particles[languages] = frozenset().union(
                *(self.pack.languages[lang].separable_particles for lang in languages)
            )
        joined = None
        if particles:
            joined, joined_sets = self._scanner.joined(fields, particles)
            present |= joined_sets
        woken: set[int] = set()
        wakes = self._wakes
        for sid in self._trigger_sets.intersection(present):
            woken |= wakes[sid]
        order = self._order
        languages = self._languages.confirm(article, languages, {order[i].language for i in woken})
        ready: list[int] = []
        for i in sorted(woken):
            rule = order[i]
            if rule.language in languages:
                for group in rule.required:
                    if present.isdisjoint(group):
                        if trace is not None:
                            trace.unready(rule, group)
                        break
                else:
                    ready.append(i)
        if not ready:
            return _NOTHING
        wanted = set().union(*(self._rule_sets[i] for i in ready))
        ctx = self._scanner.context(article, fields, matches, wanted, joined)
        if ctx.published is None:
            ctx.published = detected_at.date()
        hits = ctx.hits
        evaluated: list[str] = []
        matched: dict[str, None] = {}
        candidates: list[Candidate] = []
        hedged: dict[str, str] = {}
        unattributed: set[str] = set()
        # Rules of one family share their trigger lists: sort each list's hits once.
        by_triggers: dict[frozenset[int], list[Hit]] = {}
        for i in ready:
            rule = order[i]
            evaluated.append(rule.spec.id)
            pack = self.pack.languages[rule.language]
            triggers = by_triggers.get(rule.trigger_sets)
            if triggers is None:
                triggers = by_triggers[rule.trigger_sets] = sorted(
                    (h for sid in rule.trigger_sets for h in hits.get(sid, ())), key=_BY_POSITION
                )
            for hit in triggers:
                in_title = ctx.fields[hit.field].name == "title"
                cand = match_rule(
                    rule,
                    ctx,
                    hit,
                    pack,
                    trace,
                    hedged if in_title else None,
                    unattributed if in_title else None,
                )
                if cand is not None and cand.confidence >= self.min_confidence:
                    candidates.append(cand)
                    matched.setdefault(rule.spec.id, None)
                elif cand is not None and trace is not None:
                    trace.below_threshold(cand, self.min_confidence)
        genre = _genre(article, languages, self.pack) if candidates else None
        if trace is None:
            kept = arbitrate(candidates, hedged=hedged, genre=genre, headlined=unattributed)
        else:
            why: dict[int, str] = {}
            kept = arbitrate(candidates, why, hedged, genre, unattributed)
            trace.arbitrated(candidates, why)
        alerts = tuple(self._alerts(article, kept, detected_at, self.calibration, trace))
        return ScanResult(
            alerts, tuple(dict.fromkeys(evaluated)), tuple(matched), tuple(candidates)
        )

    def detect(self, article: Article, *, detected_at: datetime) -> list[Alert]:
        return list(self.scan(article, detected_at=detected_at).alerts)

    @staticmethod
    def _alerts(
        article: Article,
        candidates: list[Candidate],
        detected_at: datetime,
        calibration: Calibration | None,
        trace: Trace | None = None,
    ) -> list[Alert]:
        by_type: dict[str, list[Candidate]] = {}
        for c in candidates:
            by_type.setdefault(c.event_type, []).append(c)
        alerts: list[Alert] = []
        alert_article = AlertArticle.of(article) if by_type else None
        for event_type, group in by_type.items():
            best = max(group, key=_strength)
            evidence: tuple[Evidence, ...] = (best.evidence,)
            if best.evidence.field == "title":
                body = [c for c in group if c.evidence.field == "body" and _same_event(c, best)]
                if body:
                    evidence += (max(body, key=_strength).evidence,)
            instruments: dict[str, None] = dict.fromkeys(best.instruments)
            for c in sorted(group, key=lambda c: (c.field, c.start)):
                instruments.update(dict.fromkeys(c.instruments))
            spec = best.rule.spec
            confidence = best.confidence
            if calibration is not None and spec.confidence > 0:
                # The rule's measured precision, times the downgrades its cues applied.
                downgrade = best.confidence / spec.confidence
                confidence = round(calibration.precision(spec.id) * downgrade, 4)
            if trace is not None:
                trace.alerted(best, group, confidence, calibration is not None)
            alerts.append(
                Alert(
                    alert_id=make_alert_id(article.id, spec.id, spec.version, event_type),
                    story_key=make_story_key(
                        event_type, best.actor.code, best.target.code if best.target else None
                    ),
                    event_type=event_type,
                    article=alert_article,
                    actor=best.actor,
                    target=best.target,
                    instruments=tuple(instruments),
                    confidence=confidence,
                    severity=spec.severity,
                    tags=tuple(spec.tags),
                    rule=_rule_ref(spec.id, spec.version),
                    evidence=evidence,
                    detected_at=detected_at,
                )
            )
        alerts.sort(key=lambda a: a.event_type)
        return alerts
