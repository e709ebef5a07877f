"""What every long-running command does first: settings, logging, signals."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import structlog

from policywatch.errors import ConfigError
from policywatch.observability.logging import configure_logging
from policywatch.settings import Settings, load_settings


def settings_from(args: argparse.Namespace, **overrides: Any) -> Settings:
    """Build the settings once from ``--config`` and the environment, or exit with the error."""
    try:
        settings = load_settings(getattr(args, "config", None), **overrides)
    except ConfigError as exc:
        print(f"policywatch: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    configure_logging(settings.logging.level, settings.logging.format)
    return settings


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so loops finish their batch and exit cleanly."""
    stop = threading.Event()
    log = structlog.get_logger("policywatch")

    def handler(signum: int, _frame: object) -> None:
        log.info("shutdown_requested", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def read_lines(paths: list[str]) -> list[tuple[str, int, str]]:
    """(file name, 1-based line number, text) of every non-blank line; ``-`` is stdin."""
    out: list[tuple[str, int, str]] = []
    for name in paths or ["-"]:
        if name == "-":
            lines = sys.stdin.read().splitlines()
            label = "<stdin>"
        else:
            lines = Path(name).read_text(encoding="utf-8").splitlines()
            label = name
        out.extend((label, n, line) for n, line in enumerate(lines, 1) if line.strip())
    return out
