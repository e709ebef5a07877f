"""What the commands share: settings (built once, by :func:`settings_from`), the rule paths and
engine of the file-based commands, signal handling, and serving a long-running service."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Protocol

import structlog

from policywatch.engine import Engine
from policywatch.errors import RuleErrors
from policywatch.observability.http import HealthServer
from policywatch.observability.logging import configure_logging
from policywatch.observability.metrics import Metrics
from policywatch.settings import Settings, load_settings


def config_file(args: argparse.Namespace) -> str | None:
    """``--config`` (before or after the command), else ``PW_CONFIG``, else no file."""
    given: str | None = getattr(args, "config", None)
    return given or os.environ.get("PW_CONFIG") or None


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of every command, from the config file and the environment; raises
    ``ConfigError`` naming the file and the offending key (never its value)."""
    settings = load_settings(config_file(args))
    configure_logging(settings.logging.level, settings.logging.format)
    return settings


def add_rules_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        metavar="DIR",
        action="append",
        type=Path,
        default=[],
        help="rule directory or file (repeatable); default: settings rules.paths, else the "
        "built-in pack",
    )


def rule_paths(args: argparse.Namespace, settings: Settings) -> tuple[Path, ...]:
    """``--rules`` if given, else ``rules.paths`` from the settings, else () (built-in pack)."""
    explicit: list[Path] = list(getattr(args, "rules", None) or [])
    return tuple(explicit) or settings.rules.paths


def engine_from_args(args: argparse.Namespace, settings: Settings) -> Engine:
    """The engine every file-based command runs; raises ``RuleErrors``."""
    return Engine.from_paths(rule_paths(args, settings))


def print_rule_errors(exc: RuleErrors) -> None:
    for err in exc.errors or [exc]:
        print(str(err), file=sys.stderr)
    print(f"{len(exc.errors) or 1} rule error(s)", file=sys.stderr)


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


class _Service(Protocol):
    def readiness(self) -> tuple[bool, str]: ...

    def run(self, stop: threading.Event) -> None: ...


def serve(
    service: _Service,
    metrics: Metrics,
    host: str,
    port: int,
    log: structlog.typing.FilteringBoundLogger,
) -> int:
    """Run ``service`` until SIGTERM/SIGINT, with /metrics /healthz /readyz on ``port`` (0: off)."""
    http = HealthServer(metrics.registry, service.readiness, host, port)
    stop = stop_on_signals()
    if port:
        http.start()
        log.info("http_listening", port=http.port)
    try:
        service.run(stop)
    finally:
        http.stop()
    return 0
