"""``policywatch scan``: JSON-lines articles in, JSON-lines alerts out, no Kafka."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO

from policywatch.cli.common import add_rules_argument, engine_from_args, print_rule_errors
from policywatch.engine import Engine
from policywatch.engine.matching.trace import Step, Trace
from policywatch.errors import RuleErrors
from policywatch.models import Alert, ArticleDecodeError, decode_article
from policywatch.settings import Settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="detect events in JSON-lines articles (files or stdin), print alerts as JSON lines",
        description="Read articles as JSON lines (stdin when no FILE or '-'), write one alert "
        "per line to stdout. A bad line is reported on stderr with its file and line number; "
        "the rest is still processed and the exit code is 1.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="JSON-lines article file, or -")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="instead of alerts, print for each article every rule match the engine "
        "considered (vetoed and dropped ones too): trigger, condition words, cues, time, "
        "direction and factuality, and why it fired or did not",
    )
    add_rules_argument(parser)
    parser.set_defaults(func=run)


def _inputs(files: list[str]) -> Iterator[tuple[str, BinaryIO | None]]:
    for name in files or ["-"]:
        if name == "-":
            yield "<stdin>", sys.stdin.buffer
            continue
        try:
            stream = open(name, "rb")  # noqa: SIM115 (closed below, after the loop body)
        except OSError as exc:
            print(f"{name}: cannot open: {exc.strerror}", file=sys.stderr)
            yield name, None
            continue
        with stream:
            yield name, stream


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        engine = engine_from_args(args, settings)
    except RuleErrors as exc:
        print_rule_errors(exc)
        return 2
    try:
        return _scan(engine, args.files, explain=args.explain)
    except BrokenPipeError:
        # The reader went away (`policywatch scan | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _scan(engine: Engine, files: list[str], *, explain: bool = False) -> int:
    bad = False
    out = sys.stdout
    for name, stream in _inputs(files):
        if stream is None:
            bad = True
            continue
        for lineno, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            try:
                article = decode_article(raw)
            except ArticleDecodeError as exc:
                print(f"{name}:{lineno}: {exc}", file=sys.stderr)
                bad = True
                continue
            if explain:
                trace = Trace()
                result = engine.scan(article, detected_at=datetime.now(UTC), trace=trace)
                out.write(explanation(article.id, result.alerts, trace.steps, trace.missing))
                continue
            for alert in engine.detect(article, detected_at=datetime.now(UTC)):
                out.write(alert.model_dump_json() + "\n")
        out.flush()
    return 1 if bad else 0


#: How many rules the explanation lists that were not tried for want of a word.
MISSING_SHOWN = 12


def explanation(
    article_id: str,
    alerts: Sequence[Alert],
    steps: Sequence[Step],
    missing: Sequence[tuple[str, str]] = (),
) -> str:
    """One article's trace as text: its alerts, then every step the engine took, then the
    rules its trigger words woke that were not tried because a word they need is nowhere in
    the article."""
    lines = [f"article {article_id}: {len(alerts)} alert(s), {len(steps)} rule match(es) tried"]
    for a in alerts:
        target = f" → {a.target.code}" if a.target else ""
        lines.append(
            f"  ALERT {a.event_type}  {a.actor.code}{target}  confidence {a.confidence:.2f}"
            f"  rule {a.rule.id}"
        )
    if not steps and not missing:
        lines.append("  no rule woke: no trigger word of any rule in a language of the article")
    for s in steps:
        lines.append(f"  - rule {s.rule}: trigger {s.trigger!r} in the {s.part}")
        lines.append(f"      outcome: {s.outcome}" + (f": {s.reason}" if s.reason else ""))
        if s.event_type:
            lines.append(f"      event type: {s.event_type}")
        lines += [f"      condition {c}" for c in s.conditions]
        lines += [f"      {c}" for c in s.cues]
        lines += [f"      {d}" for d in s.decisions]
        if s.actor:
            lines.append(f"      actor {s.actor}" + (f", target {s.target}" if s.target else ""))
        if s.evidence:
            lines.append(f"      evidence: {s.evidence}")
    if missing:
        lines.append("  not tried: the trigger is here, but a word the rule needs is not")
        lines += [f"  - rule {rule}: no word of {group}" for rule, group in missing[:MISSING_SHOWN]]
        if len(missing) > MISSING_SHOWN:
            lines.append(f"  ... and {len(missing) - MISSING_SHOWN} more")
    return "\n".join(lines) + "\n\n"
