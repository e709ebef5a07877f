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
    """An event set by SIGTERM or SIGINT, so loops finish their batch and exit cleanly.

    The handler only sets the event. It runs in the main thread between two bytecodes, where
    that thread may hold a lock: structlog's print lock while it writes a log line, as the
    detector does for every alert. Logging from the handler then waits for a lock its own thread
    holds, forever (seen as a detector that ignored SIGTERM under load). A watcher thread logs
    the request instead.
    """
    stop = threading.Event()
    received: list[str] = []
    log = structlog.get_logger("policywatch")

    def handler(signum: int, _frame: object) -> None:
        received.append(signal.Signals(signum).name)  # list.append takes no lock
        stop.set()

    def announce() -> None:
        stop.wait()
        if received:  # set by a signal, not by the command itself
            log.info("shutdown_requested", signal=received[0])

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    threading.Thread(target=announce, name="shutdown-log", daemon=True).start()
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
