"""Scoring detections against labelled articles (the format of ``shared/corpus/README.md``).

Scoring is over (article, event type) pairs: a predicted type in ``events`` is a true positive,
a predicted type in neither ``events`` nor ``ignore`` a false positive, an expected type not
predicted a false negative. Actor accuracy counts, over true positives, alerts whose
``actor.code`` equals the labelled actor. Pure: give it any ``detect(article)`` function.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from policywatch.models import EVENT_TYPES, Alert, Article, ArticleDecodeError, EventType
from policywatch.quality.calibration import format_reliability

__all__ = [
    "Counts",
    "EvalReport",
    "Finding",
    "LabelledArticle",
    "Labels",
    "NoEvent",
    "Outcome",
    "evaluate",
    "format_report",
    "parse_labelled",
]


class Labels(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    events: tuple[EventType, ...] = ()
    ignore: tuple[EventType, ...] = ()
    actor: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class LabelledArticle:
    article: Article
    labels: Labels


def parse_labelled(line: str | bytes) -> LabelledArticle:
    """One JSON line: an article plus ``labels``; raises ``ArticleDecodeError``."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ArticleDecodeError("invalid_json", str(exc)) from exc
    if not isinstance(data, dict):
        raise ArticleDecodeError("invalid_article", "a labelled line must be a JSON object")
    raw_labels = data.pop("labels", None)
    try:
        labels = Labels.model_validate(raw_labels if raw_labels is not None else {})
        article = Article.model_validate(data)
    except ValidationError as exc:
        raise ArticleDecodeError("invalid_article", str(exc)) from exc
    return LabelledArticle(article, labels)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True)
class Finding:
    """A false positive (with its evidence) or a false negative, or a wrong actor."""

    kind: str
    article_id: str
    language: str
    event_type: str
    actor: str | None = None
    expected_actor: str | None = None
    rule: str | None = None
    evidence: str | None = None


@dataclass
class _Actors:
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class NoEvent:
    """Articles labelled with no event, and how many of them raised any alert."""

    articles: int = 0
    alerted: int = 0

    @property
    def rate(self) -> float:
        return self.alerted / self.articles if self.articles else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"articles": self.articles, "alerted": self.alerted, "rate": round(self.rate, 4)}


@dataclass
class Outcome:
    """One article's scored pairs: event type -> the rule of its alert (``tp``, ``fp``,
    ``ignored``), and the expected types no alert found (``fn``). Ids and names only."""

    tp: dict[str, str] = field(default_factory=dict)
    fp: dict[str, str] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    fn: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "ignored": self.ignored, "fn": self.fn}


@dataclass
class EvalReport:
    articles: int = 0
    overall: Counts = field(default_factory=Counts)
    by_type: dict[str, Counts] = field(default_factory=dict)
    by_language: dict[str, Counts] = field(default_factory=dict)
    actors: _Actors = field(default_factory=_Actors)
    actors_by_language: dict[str, _Actors] = field(default_factory=dict)
    duplicate_articles: int = 0
    findings: list[Finding] = field(default_factory=list)
    #: True and false positives per rule id (false negatives belong to no rule).
    by_rule: dict[str, Counts] = field(default_factory=dict)
    #: Per language, the articles labelled with no event and how many raised an alert.
    no_event: dict[str, NoEvent] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    #: ``(confidence, true positive)`` for every scored alert (not those of an ``ignore`` type).
    scored: list[tuple[float, bool]] = field(default_factory=list)

    @property
    def no_event_overall(self) -> NoEvent:
        return NoEvent(
            sum(n.articles for n in self.no_event.values()),
            sum(n.alerted for n in self.no_event.values()),
        )

    @property
    def actor_accuracy(self) -> float:
        return self.actors.accuracy

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "overall": self.overall.as_dict(),
            "by_event_type": {k: v.as_dict() for k, v in sorted(self.by_type.items())},
            "by_language": {
                k: {
                    **v.as_dict(),
                    "actor_accuracy": round(self.actors_by_language[k].accuracy, 4),
                }
                for k, v in sorted(self.by_language.items())
            },
            "actor_accuracy": round(self.actor_accuracy, 4),
            "actor_correct": self.actors.correct,
            "actor_total": self.actors.total,
            "duplicate_alert_articles": self.duplicate_articles,
            "by_rule": {k: v.as_dict() for k, v in sorted(self.by_rule.items())},
            "no_event": {
                "all": self.no_event_overall.as_dict(),
                **{k: v.as_dict() for k, v in sorted(self.no_event.items())},
            },
            "findings": [asdict(f) for f in self.findings],
        }


def _language(article: Article) -> str:
    return (article.language or "unknown").split("-")[0].lower()


def evaluate(
    detect: Callable[[Article], Sequence[Alert]], items: Iterable[LabelledArticle]
) -> EvalReport:
    report = EvalReport()
    for item in items:
        report.articles += 1
        article, labels = item.article, item.labels
        lang = _language(article)
        by_lang = report.by_language.setdefault(lang, Counts())
        lang_actors = report.actors_by_language.setdefault(lang, _Actors())
        alerts = list(detect(article))
        counts = Counter(a.event_type for a in alerts)
        if any(n > 1 for n in counts.values()):
            report.duplicate_articles += 1
        predicted = {a.event_type: a for a in alerts}
        expected = set(labels.events)
        if not expected:
            quiet = report.no_event.setdefault(lang, NoEvent())
            quiet.articles += 1
            quiet.alerted += bool(alerts)
        outcome = report.outcomes.setdefault(article.id, Outcome())
        for event_type, alert in predicted.items():
            bucket = report.by_type.setdefault(event_type, Counts())
            rule = report.by_rule.setdefault(alert.rule.id, Counts())
            if event_type in expected:
                for c in (report.overall, bucket, by_lang, rule):
                    c.tp += 1
                outcome.tp[event_type] = alert.rule.id
                report.scored.append((alert.confidence, True))
                report.actors.total += 1
                lang_actors.total += 1
                if labels.actor is not None and alert.actor.code == labels.actor:
                    report.actors.correct += 1
                    lang_actors.correct += 1
                else:
                    report.findings.append(_finding("wrong_actor", article, alert, labels))
            elif event_type not in labels.ignore:
                for c in (report.overall, bucket, by_lang, rule):
                    c.fp += 1
                outcome.fp[event_type] = alert.rule.id
                report.scored.append((alert.confidence, False))
                report.findings.append(_finding("false_positive", article, alert, labels))
            else:
                outcome.ignored[event_type] = alert.rule.id
        for event_type in sorted(expected - set(predicted)):
            outcome.fn.append(event_type)
            for c in (report.overall, report.by_type.setdefault(event_type, Counts()), by_lang):
                c.fn += 1
            report.findings.append(
                Finding("false_negative", article.id, lang, event_type, None, labels.actor)
            )
    return report


def _finding(kind: str, article: Article, alert: Alert, labels: Labels) -> Finding:
    ev = alert.evidence[0]
    return Finding(
        kind=kind,
        article_id=article.id,
        language=_language(article),
        event_type=alert.event_type,
        actor=alert.actor.code,
        expected_actor=labels.actor,
        rule=alert.rule.id,
        evidence=ev.text,
    )


def _row(name: str, c: Counts) -> str:
    return (
        f"  {name:<28} P {c.precision:5.3f}  R {c.recall:5.3f}  F1 {c.f1:5.3f}"
        f"   (tp {c.tp}, fp {c.fp}, fn {c.fn})"
    )


def _no_event_row(name: str, n: NoEvent) -> str:
    return f"  {name:<28} {n.alerted}/{n.articles} raise an alert ({n.rate:.3f})"


def format_report(report: EvalReport, *, findings: bool = True) -> str:
    """The text report; ``findings=False`` leaves out the per-article list (and its evidence)."""
    lines = [f"articles: {report.articles}", "", "overall:", _row("all", report.overall)]
    lines.append(
        f"  actor accuracy {report.actor_accuracy:.3f}"
        f" ({report.actors.correct}/{report.actors.total})"
    )
    lines += ["", "per language:"]
    for lang, c in sorted(report.by_language.items()):
        a = report.actors_by_language[lang]
        lines.append(_row(lang, c) + f"  actor {a.accuracy:.3f} ({a.correct}/{a.total})")
    lines += ["", "per event type:"]
    for event_type in EVENT_TYPES:
        if event_type in report.by_type:
            lines.append(_row(event_type, report.by_type[event_type]))
    if report.by_rule:
        lines += ["", "per rule (false negatives belong to event types, not rules):"]
        width = max(28, *(len(r) for r in report.by_rule))
        for rule_id, c in sorted(report.by_rule.items()):
            p = f"{c.precision:5.3f}" if c.tp + c.fp else "    -"
            lines.append(f"  {rule_id:<{width}} P {p}   (tp {c.tp}, fp {c.fp})")
    if report.no_event:
        lines += ["", "articles with no event (false-alert rate):"]
        lines.append(_no_event_row("all", report.no_event_overall))
        for lang, n in sorted(report.no_event.items()):
            lines.append(_no_event_row(lang, n))
    lines += ["", *format_reliability(report.scored)]
    lines += ["", f"articles with duplicate alerts for one event type: {report.duplicate_articles}"]
    if findings and report.findings:
        lines += ["", "findings:"]
        for f in report.findings:
            who = f" actor={f.actor}" if f.actor else ""
            exp = f" expected_actor={f.expected_actor}" if f.expected_actor else ""
            lines.append(f"  {f.kind:<15} {f.event_type:<26} {f.article_id}{who}{exp}")
            if f.rule:
                lines.append(f"      rule {f.rule}")
            if f.evidence:
                lines.append(f"      evidence: {f.evidence}")
    return "\n".join(lines) + "\n"
