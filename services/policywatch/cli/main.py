"""Entry point of the ``policywatch`` console script."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module

from policywatch import __version__
from policywatch.cli.common import settings_from
from policywatch.errors import ConfigError

#: Modules under ``policywatch.cli``, each named after its command, that each define
#: ``register(subparsers)``; the parser they add sets ``func(args, settings) -> int``.
COMMAND_MODULES = (
    "scan",
    "evaluate",
    "rules",
    "broker",
    "detector",
    "ingest",
    "notifier",
    "publish",
    "tail",
    "dlq",
    "run",
    "schemas",
    "config",
    "routes",
    "silence",
)
CONFIG_HELP = "YAML config file (default: $PW_CONFIG; environment variables PW_... override it)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policywatch",
        description="Detect government policy-shift events in news and alert on them.",
    )
    parser.add_argument("--version", action="version", version=f"policywatch {__version__}")
    parser.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        import_module(f"policywatch.cli.{name}").register(subparsers)
    _accept_config_after_commands(parser)
    return parser


def _accept_config_after_commands(parser: argparse.ArgumentParser) -> None:
    """``--config`` after a (sub)command too: ``policywatch rules check --config f.yaml``.

    SUPPRESS keeps a subparser that was not given ``--config`` from overwriting the value
    given before the command.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.add_argument(
                    "--config", metavar="FILE", default=argparse.SUPPRESS, help=CONFIG_HELP
                )
                _accept_config_after_commands(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "reports_config_problems", False):  # `config check` lists them all itself
        code_: int = args.func(args, None)
        return code_
    # Every command, even one that never reads a setting, refuses a bad config the same way,
    # before it starts anything.
    try:
        settings = settings_from(args)
    except ConfigError as exc:
        print(f"policywatch {args.command}: {exc}", file=sys.stderr)
        return 2
    try:
        code: int = args.func(args, settings)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
