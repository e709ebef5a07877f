"""``policywatch rules check|test|list``: validate rule packs and run their examples."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from policywatch.cli.common import print_rule_errors
from policywatch.engine import Engine, load_rules
from policywatch.errors import RuleErrors
from policywatch.quality.examples import run_examples
from policywatch.settings import Settings

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="check rule files, run their examples, list rules",
        description="Rule packs are directories of YAML files (docs/rules.md). Without DIR, "
        "the configured rules.paths or the built-in pack is used.",
    )
    sub = parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    for name, func, text in (
        ("check", _check, "report every error with file:line; exit 1 if any"),
        ("test", _test, "run each rule's match/no_match examples; exit 1 on any failure"),
        ("list", _list, "list the rules with their event type and location"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("dirs", nargs="*", metavar="DIR", type=Path, help="rule dir or file")
        p.set_defaults(func=func)


def _engine(args: argparse.Namespace, settings: Settings) -> Engine | None:
    try:
        return Engine(load_rules(tuple(args.dirs) or settings.rules.paths))
    except RuleErrors as exc:
        print_rule_errors(exc)
        return None


def _check(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(args, settings)
    if engine is None:
        return 1
    files = len(engine.ruleset.files)
    print(f"ok: {engine.rule_count} rules, {engine.phrase_count} phrases in {files} files")
    return 0


def _test(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(args, settings)
    if engine is None:
        return 1
    report = run_examples(engine)
    for failure in report.failures:
        print(str(failure), file=sys.stderr)
    total = report.passed + len(report.failures)
    print(f"{report.passed}/{total} examples passed ({engine.rule_count} rules)")
    return 0 if report.ok else 1


def _list(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(args, settings)
    if engine is None:
        return 1
    for rule in sorted(engine.ruleset.rules, key=lambda r: (r.event_type, r.id)):
        path, line = engine.ruleset.where(rule.id)
        state = "" if rule.enabled else "  (disabled)"
        print(f"{rule.event_type:<28} {rule.id} v{rule.version}  {path}:{line}{state}")
    return 0
