"""``policywatch detector`` and ``policywatch notifier``: the two long-running services."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any, Protocol

import structlog

from policywatch.cli.common import settings_from, stop_on_signals
from policywatch.errors import RuleError
from policywatch.observability.http import HealthServer
from policywatch.observability.metrics import Metrics


def register(subparsers: Any) -> None:
    d = subparsers.add_parser("detector", help="run the detector service (articles → alerts)")
    d.set_defaults(func=run_detector)
    n = subparsers.add_parser("notifier", help="run the notifier service (alerts → receivers)")
    n.set_defaults(func=run_notifier)


def run_detector(args: argparse.Namespace) -> int:
    from policywatch.detector import DetectorService
    from policywatch.engine import Engine
    from policywatch.kafka import KafkaClients

    settings = settings_from(args)
    log = structlog.get_logger("policywatch.detector")
    try:
        engine = Engine.from_paths(settings.rules.paths)
    except RuleError as exc:
        print(f"policywatch detector: cannot load rules:\n{exc}", file=sys.stderr)
        return 2
    metrics = Metrics.create()
    service = DetectorService(settings, engine, metrics, KafkaClients(settings.kafka))
    signal.signal(signal.SIGHUP, lambda *_: service.request_reload())
    d = settings.detector
    return _serve(service, metrics, d.metrics_host, d.metrics_port, log)


def run_notifier(args: argparse.Namespace) -> int:
    from policywatch.notifier import NotifierService

    settings = settings_from(args)
    log = structlog.get_logger("policywatch.notifier")
    metrics = Metrics.create()
    service = NotifierService(settings, metrics)
    n = settings.notifier
    return _serve(service, metrics, n.metrics_host, n.metrics_port, log)


class _Service(Protocol):
    def readiness(self) -> tuple[bool, str]: ...

    def run(self, stop: threading.Event) -> None: ...


def _serve(
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
