"""``policywatch routes test LABEL=VALUE...``: which receivers an alert with these labels
reaches, and by which route (``amtool config routes test``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from policywatch.notifier.routing import Router
from policywatch.settings import Settings
from policywatch.settings.notifier import LABELS

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("routes", help="test the routing tree")
    sub = parser.add_subparsers(dest="routes_command", metavar="ACTION", required=True)
    text = "print the receivers an alert with these labels reaches, and the matched routes"
    test = sub.add_parser("test", help=text, description=text)
    test.add_argument(
        "labels",
        nargs="+",
        metavar="LABEL=VALUE",
        help=f"labels of the alert ({', '.join(LABELS)}); unset labels are empty",
    )
    test.set_defaults(func=_test)


def _labels(pairs: list[str]) -> dict[str, str] | str:
    labels: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            return f"expected LABEL=VALUE, got {pair!r}"
        if name not in LABELS:
            return f"unknown label {name!r} (one of {', '.join(LABELS)})"
        labels[name] = value
    return labels


def _test(args: argparse.Namespace, settings: Settings) -> int:
    labels = _labels(args.labels)
    if isinstance(labels, str):
        print(f"policywatch routes test: {labels}", file=sys.stderr)
        return 2
    full = {name: labels.get(name, "") for name in LABELS}
    matches = Router(settings.notifier.effective_route()).route_labels(full)
    print(", ".join(m.receiver for m in matches))
    for m in matches:
        print(f"  {m.receiver}  via {m.path}  group_by={','.join(m.group_by)}")
    return 0
