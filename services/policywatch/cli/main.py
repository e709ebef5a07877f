"""Entry point of the ``policywatch`` console script."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module

from policywatch import __version__

#: Modules under ``policywatch.cli`` that each define ``register(subparsers)``; the parser they
#: add sets ``func(args) -> int``.
COMMAND_MODULES = (
    "scan_cmd",
    "eval_cmd",
    "rules_cmd",
    "broker_cmd",
    "services_cmd",
    "ingest_cmd",
    "kafka_cmd",
    "run_cmd",
    "schemas_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policywatch",
        description="Detect government policy-shift events in news and alert on them.",
    )
    parser.add_argument("--version", action="version", version=f"policywatch {__version__}")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="YAML config file (environment variables PW_... override it)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        import_module(f"policywatch.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
