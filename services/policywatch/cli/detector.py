"""``policywatch detector``: the detector service (articles → alerts) until SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

import structlog

from policywatch.cli.common import serve
from policywatch.errors import RuleError
from policywatch.observability.metrics import Metrics
from policywatch.settings import Settings


def register(subparsers: Any) -> None:
    d = subparsers.add_parser("detector", help="run the detector service (articles → alerts)")
    d.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from policywatch.detector import DetectorService
    from policywatch.engine import Engine
    from policywatch.kafka import KafkaClients

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
    return serve(service, metrics, d.metrics_host, d.metrics_port, log)
