"""Saved evaluation runs, and what changed between two of them.

A saved run (``policywatch eval --save RUN.json``) holds figures and ids only, never article
text: the counts overall, per event type, per rule and per language, the no-event false-alert
rate, and each article's scored pairs (type -> outcome and rule). :func:`compare` reads two such
runs and tells a rule author what a change won and what it broke.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policywatch.quality.calibration import expected_calibration_error
from policywatch.quality.scoring import EvalReport

__all__ = [
    "RUN_VERSION",
    "Change",
    "Comparison",
    "compare",
    "format_comparison",
    "load_run",
    "run_dict",
]

RUN_VERSION = 1


def run_dict(report: EvalReport, *, sources: Sequence[str] = ()) -> dict[str, Any]:
    """A report as a saved run: figures and ids (no findings, no evidence text)."""
    return {
        "version": RUN_VERSION,
        "sources": list(sources),
        "articles": report.articles,
        "overall": report.overall.as_dict(),
        "by_event_type": {k: v.as_dict() for k, v in sorted(report.by_type.items())},
        "by_rule": {k: v.as_dict() for k, v in sorted(report.by_rule.items())},
        "by_language": {k: v.as_dict() for k, v in sorted(report.by_language.items())},
        "no_event": {
            "all": report.no_event_overall.as_dict(),
            **{k: v.as_dict() for k, v in sorted(report.no_event.items())},
        },
        "ece": round(expected_calibration_error(report.scored), 4),
        "outcomes": {aid: o.as_dict() for aid, o in sorted(report.outcomes.items())},
    }


def load_run(path: Path | str) -> dict[str, Any]:
    """A run saved by ``--save``; raises ``ValueError`` naming the file when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read saved run: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != RUN_VERSION or "outcomes" not in data:
        raise ValueError(
            f"{path}: not a saved run of version {RUN_VERSION} (policywatch eval --save)"
        )
    return data


def _states(outcome: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """event type -> (outcome, rule) for one article's saved pairs."""
    states: dict[str, tuple[str, str]] = {}
    for kind in ("tp", "fp", "ignored"):
        for event_type, rule in outcome.get(kind, {}).items():
            states[event_type] = (kind, rule)
    for event_type in outcome.get("fn", []):
        states[event_type] = ("fn", "")
    return states


@dataclass(frozen=True)
class Change:
    """One (article, type) pair whose outcome changed: ``""`` for no alert and no label."""

    article_id: str
    event_type: str
    before: str
    after: str
    rule_before: str
    rule_after: str

    @property
    def won(self) -> bool:
        """A true positive gained or a false positive gone."""
        return self.after == "tp" or (self.before == "fp" and self.after != "fp")

    @property
    def broke(self) -> bool:
        """A false positive gained or a true positive gone (labels that changed are neither)."""
        return not self.won and (self.after == "fp" or self.before == "tp")

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "article_id": self.article_id,
            "event_type": self.event_type,
            "before": self.before or "none",
            "after": self.after or "none",
            "rule_before": self.rule_before,
            "rule_after": self.rule_after,
            "won": self.won,
            "broke": self.broke,
        }


@dataclass
class Comparison:
    overall: tuple[dict[str, Any], dict[str, Any]]
    #: name -> (before counts, after counts), only rows that changed.
    by_type: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    by_rule: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    no_event: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    changes: list[Change] = field(default_factory=list)
    only_before: list[str] = field(default_factory=list)
    only_after: list[str] = field(default_factory=list)

    @property
    def broke(self) -> list[Change]:
        return [c for c in self.changes if c.broke]

    @property
    def won(self) -> list[Change]:
        return [c for c in self.changes if c.won]

    @property
    def other(self) -> list[Change]:
        """Pairs whose labels changed between the runs (neither won nor broke)."""
        return [c for c in self.changes if not c.won and not c.broke]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": {"before": self.overall[0], "after": self.overall[1]},
            "by_event_type": {k: {"before": b, "after": a} for k, (b, a) in self.by_type.items()},
            "by_rule": {k: {"before": b, "after": a} for k, (b, a) in self.by_rule.items()},
            "no_event": {"before": self.no_event[0], "after": self.no_event[1]},
            "won": [c.as_dict() for c in self.won],
            "broke": [c.as_dict() for c in self.broke],
            "relabelled": [c.as_dict() for c in self.other],
            "only_before": self.only_before,
            "only_after": self.only_after,
        }


_ZERO = {"tp": 0, "fp": 0, "fn": 0}


def _changed_rows(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    rows: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name, _ZERO), after.get(name, _ZERO)
        if any(b.get(k, 0) != a.get(k, 0) for k in ("tp", "fp", "fn")):
            rows[name] = (dict(b), dict(a))
    return rows


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> Comparison:
    """What changed from run ``before`` to run ``after`` (both as from :func:`run_dict`)."""
    result = Comparison(
        overall=(before["overall"], after["overall"]),
        by_type=_changed_rows(before.get("by_event_type", {}), after.get("by_event_type", {})),
        by_rule=_changed_rows(before.get("by_rule", {}), after.get("by_rule", {})),
        no_event=(
            before.get("no_event", {}).get("all", {}),
            after.get("no_event", {}).get("all", {}),
        ),
    )
    b_out, a_out = before["outcomes"], after["outcomes"]
    result.only_before = sorted(set(b_out) - set(a_out))
    result.only_after = sorted(set(a_out) - set(b_out))
    for aid in sorted(set(b_out) & set(a_out)):
        sb, sa = _states(b_out[aid]), _states(a_out[aid])
        for event_type in sorted(set(sb) | set(sa)):
            (kb, rb), (ka, ra) = sb.get(event_type, ("", "")), sa.get(event_type, ("", ""))
            if kb != ka:
                result.changes.append(Change(aid, event_type, kb, ka, rb, ra))
    return result


def _delta(b: Mapping[str, Any], a: Mapping[str, Any]) -> str:
    parts = []
    for k in ("tp", "fp", "fn"):
        x, y = b.get(k, 0), a.get(k, 0)
        parts.append(f"{k} {x}→{y}" + (f" ({y - x:+d})" if x != y else ""))
    return ", ".join(parts)


def _describe(c: Change) -> str:
    rule = c.rule_after or c.rule_before
    return f"    {c.article_id}  {c.event_type}: {c.before or 'none'} → {c.after or 'none'}" + (
        f"  (rule {rule})" if rule else ""
    )


def format_comparison(cmp: Comparison, *, label: str = "") -> str:
    b, a = cmp.overall
    lines = [f"compared with {label}:" if label else "compared with the saved run:"]
    lines.append(
        f"  overall  F1 {b.get('f1', 0):.3f} → {a.get('f1', 0):.3f}"
        f"  P {b.get('precision', 0):.3f} → {a.get('precision', 0):.3f}"
        f"  R {b.get('recall', 0):.3f} → {a.get('recall', 0):.3f}   ({_delta(b, a)})"
    )
    nb, na = cmp.no_event
    if nb or na:
        lines.append(
            f"  no-event articles alerting: {nb.get('alerted', 0)}/{nb.get('articles', 0)}"
            f" → {na.get('alerted', 0)}/{na.get('articles', 0)}"
        )
    for title, rows in (("per event type", cmp.by_type), ("per rule", cmp.by_rule)):
        if rows:
            lines.append(f"  {title} (changed rows):")
            width = max(len(n) for n in rows)
            lines += [f"    {n:<{width}}  {_delta(x, y)}" for n, (x, y) in rows.items()]
    if not cmp.changes:
        lines.append("  no article changed outcome")
    else:
        lines.append(f"  won ({len(cmp.won)}):")
        lines += [_describe(c) for c in cmp.won] or ["    -"]
        lines.append(f"  broke ({len(cmp.broke)}):")
        lines += [_describe(c) for c in cmp.broke] or ["    -"]
        if cmp.other:
            lines.append(f"  labels changed ({len(cmp.other)}):")
            lines += [_describe(c) for c in cmp.other]
    if cmp.only_before or cmp.only_after:
        lines.append(
            f"  articles only in the saved run: {len(cmp.only_before)};"
            f" only in this run: {len(cmp.only_after)}"
        )
    return "\n".join(lines) + "\n"
