"""``policywatch eval``: precision, recall, F1 and actor accuracy on labelled JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from policywatch.cli.common import add_rules_argument, engine_from_args, print_rule_errors
from policywatch.errors import RuleErrors
from policywatch.models import ArticleDecodeError
from policywatch.quality.scoring import (
    LabelledArticle,
    evaluate,
    format_report,
    parse_labelled,
)
from policywatch.settings import Settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="score the detector on labelled JSON lines (precision, recall, F1, actors)",
        description="Run the same engine as 'scan' over labelled articles (article + labels "
        "{events, ignore, actor}) and report precision, recall and F1 per event type, per "
        "language and overall, actor accuracy, duplicate alerts, and every false positive "
        "and false negative with its evidence.",
    )
    parser.add_argument(
        "files",
        metavar="FILE",
        nargs="+",
        help="labelled JSON-lines file, or - for stdin; several files are scored as one set",
    )
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")
    add_rules_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        engine = engine_from_args(args, settings)
    except RuleErrors as exc:
        print_rule_errors(exc)
        return 2
    items: list[LabelledArticle] = []
    bad = False
    for name in args.files:
        try:
            with open(sys.stdin.fileno() if name == "-" else name, "rb", closefd=name != "-") as f:
                for lineno, raw in enumerate(f, 1):
                    if not raw.strip():
                        continue
                    try:
                        items.append(parse_labelled(raw))
                    except ArticleDecodeError as exc:
                        print(f"{name}:{lineno}: {exc}", file=sys.stderr)
                        bad = True
        except OSError as exc:
            print(f"{name}: cannot open: {exc.strerror}", file=sys.stderr)
            return 2
    now = datetime.now(UTC)
    report = evaluate(lambda article: engine.detect(article, detected_at=now), items)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        sys.stdout.write(format_report(report))
    return 1 if bad else 0
