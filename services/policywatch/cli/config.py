"""``policywatch config check``: validate the whole config before it goes live (exit 2 on any
problem, each named by file and key), as ``amtool check-config`` does for Alertmanager."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from policywatch.cli.common import config_file
from policywatch.settings import Settings
from policywatch.settings.check import check_config

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("config", help="check the config file")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    text = (
        "validate settings, routes, receivers, matchers and inhibit rules; "
        "print every problem as FILE: KEY: PROBLEM and exit 2 if any"
    )
    check = sub.add_parser("check", help=text, description=text)
    check.set_defaults(func=_check, reports_config_problems=True)


def _check(args: argparse.Namespace, _settings: Settings | None) -> int:
    path = config_file(args)
    settings, problems = check_config(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems or settings is None:
        print(f"{len(problems)} problem(s) in {path or 'the environment'}", file=sys.stderr)
        return 2
    n = settings.notifier
    routes = sum(1 for _ in n.effective_route().walk())
    print(
        f"ok: {path or 'environment'}: {len(n.effective_receivers())} receivers, {routes} routes, "
        f"{len(n.inhibit_rules)} inhibit rules"
    )
    return 0
