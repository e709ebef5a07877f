"""``policywatch notifier``: the notifier service (alerts → receivers) until SIGTERM."""

from __future__ import annotations

import argparse
from typing import Any

import structlog

from policywatch.cli.common import serve
from policywatch.observability.metrics import Metrics
from policywatch.settings import Settings


def register(subparsers: Any) -> None:
    n = subparsers.add_parser("notifier", help="run the notifier service (alerts → receivers)")
    n.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from policywatch.notifier import NotifierService

    log = structlog.get_logger("policywatch.notifier")
    metrics = Metrics.create()
    service = NotifierService(settings, metrics)
    n = settings.notifier
    return serve(service, metrics, n.metrics_host, n.metrics_port, log)
