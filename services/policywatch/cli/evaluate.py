"""``policywatch eval``: precision, recall, F1 and actor accuracy on labelled JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policywatch.cli.common import add_rules_argument, engine_from_args, print_rule_errors
from policywatch.engine.calibration import CalibrationError
from policywatch.errors import RuleErrors
from policywatch.models import ArticleDecodeError
from policywatch.quality.calibration import (
    DEFAULT_PRIOR_WEIGHT,
    calibration_from,
    calibration_yaml,
    expected_calibration_error,
    reliability,
)
from policywatch.quality.runs import compare, format_comparison, load_run, run_dict
from policywatch.quality.scoring import (
    LabelledArticle,
    evaluate,
    format_report,
    parse_labelled,
)
from policywatch.quality.split import HALVES, half_of
from policywatch.settings import Settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="score the detector on labelled JSON lines (precision, recall, F1, actors)",
        description="Run the same engine as 'scan' over labelled articles (article + labels "
        "{events, ignore, actor}) and report precision, recall and F1 per event type, per "
        "rule, per language and overall, actor accuracy, the false-alert rate on articles "
        "with no event, a reliability table of alert confidence, duplicate alerts, and every "
        "false positive and false negative with its evidence. FILE:tuning or FILE:blind "
        "scores one half of a file (split by the parity of sha256(id)'s first byte: odd is "
        "blind).",
    )
    parser.add_argument(
        "files",
        metavar="FILE",
        nargs="+",
        help="labelled JSON-lines file (FILE:tuning / FILE:blind for one half), or - for "
        "stdin; several files are scored as one set",
    )
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")
    parser.add_argument(
        "--summary", action="store_true", help="leave the per-article findings out of the report"
    )
    parser.add_argument(
        "--save", metavar="RUN.json", help="save this run's figures and article ids (no text)"
    )
    parser.add_argument(
        "--compare",
        metavar="RUN.json",
        help="report what changed against a run saved with --save: per type and per rule, "
        "and the articles that changed outcome",
    )
    parser.add_argument(
        "--calibrate",
        metavar="OUT.yaml",
        help="write a calibration table (per-rule tp/fp and the prior) from this run; put it "
        "in the rule directory as calibration.yaml",
    )
    parser.add_argument(
        "--prior-weight",
        type=float,
        default=DEFAULT_PRIOR_WEIGHT,
        metavar="N",
        help="with --calibrate: how many observations the prior (the pack's precision) is "
        f"worth (default {DEFAULT_PRIOR_WEIGHT:g})",
    )
    add_rules_argument(parser)
    parser.set_defaults(func=run)


def _split_name(name: str) -> tuple[str, str | None]:
    """``real.jsonl:blind`` -> ``("real.jsonl", "blind")``, unless the whole name is a file."""
    base, sep, half = name.rpartition(":")
    if sep and half in HALVES and not Path(name).exists():
        return base, half
    return name, None


def _read(names: list[str]) -> tuple[list[LabelledArticle], bool, bool]:
    """The labelled articles, whether a line was bad, whether a file could not be opened."""
    items: list[LabelledArticle] = []
    bad = False
    for given in names:
        name, half = _split_name(given)
        try:
            with open(sys.stdin.fileno() if name == "-" else name, "rb", closefd=name != "-") as f:
                for lineno, raw in enumerate(f, 1):
                    if not raw.strip():
                        continue
                    try:
                        item = parse_labelled(raw)
                    except ArticleDecodeError as exc:
                        print(f"{name}:{lineno}: {exc}", file=sys.stderr)
                        bad = True
                        continue
                    if half is None or half_of(item.article.id) == half:
                        items.append(item)
        except OSError as exc:
            print(f"{name}: cannot open: {exc.strerror}", file=sys.stderr)
            return items, bad, True
    return items, bad, False


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        engine = engine_from_args(args, settings)
    except RuleErrors as exc:
        print_rule_errors(exc)
        return 2
    earlier = None
    if args.compare:
        try:
            earlier = load_run(args.compare)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    items, bad, missing = _read(args.files)
    if missing:
        return 2
    now = datetime.now(UTC)
    report = evaluate(lambda article: engine.detect(article, detected_at=now), items)
    # File names without their directories: a saved run or table is the same on every machine.
    sources = [Path(name).name for name in args.files]
    saved = run_dict(report, sources=sources)
    comparison = compare(earlier, saved) if earlier is not None else None
    if args.json:
        out = report.to_dict()
        out["reliability"] = [b.as_dict() for b in reliability(report.scored)]
        out["ece"] = round(expected_calibration_error(report.scored), 4)
        if comparison is not None:
            out["comparison"] = comparison.to_dict()
        print(json.dumps(out, indent=2, sort_keys=True))
    else:
        sys.stdout.write(format_report(report, findings=not args.summary))
        if comparison is not None:
            sys.stdout.write("\n" + format_comparison(comparison, label=args.compare))
    try:
        if args.save:
            Path(args.save).write_text(json.dumps(saved, indent=1, sort_keys=True) + "\n")
        if args.calibrate:
            by_rule = {r: (c.tp, c.fp) for r, c in report.by_rule.items()}
            table = calibration_yaml(
                calibration_from(by_rule, prior_weight=args.prior_weight), sources=sources
            )
            Path(args.calibrate).write_text(table, encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except CalibrationError as exc:
        print(f"--calibrate: {exc}", file=sys.stderr)
        return 2
    return 1 if bad else 0
