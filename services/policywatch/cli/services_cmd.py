"""``policywatch detector`` and ``policywatch notifier``: the two long-running services."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

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

    settings = settings_from(args)
    log = structlog.get_logger("policywatch.detector")
    try:
        engine = Engine.from_paths(settings.rules.paths)
    except RuleError as exc:
        print(f"policywatch detector: cannot load rules:\n{exc}", file=sys.stderr)
        return 2
    metrics = Metrics.create()
    service = DetectorService(settings, engine, metrics)
    http = HealthServer(
        metrics.registry,
        service.readiness,
        settings.detector.metrics_host,
        settings.detector.metrics_port,
    )
    stop = stop_on_signals()
    signal.signal(signal.SIGHUP, lambda *_: service.request_reload())
    if settings.detector.metrics_port:
        http.start()
        log.info("http_listening", port=http.port)
    try:
        service.run(stop)
    finally:
        http.stop()
    return 0


def run_notifier(args: argparse.Namespace) -> int:
    from policywatch.notifier import NotifierService

    settings = settings_from(args)
    log = structlog.get_logger("policywatch.notifier")
    metrics = Metrics.create()
    service = NotifierService(settings, metrics)
    http = HealthServer(
        metrics.registry,
        service.readiness,
        settings.notifier.metrics_host,
        settings.notifier.metrics_port,
    )
    stop = stop_on_signals()
    if settings.notifier.metrics_port:
        http.start()
        log.info("http_listening", port=http.port)
    try:
        service.run(stop)
    finally:
        http.stop()
    return 0
