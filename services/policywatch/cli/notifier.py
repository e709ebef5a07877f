"""``policywatch notifier``: the notifier service (alerts → receivers) until SIGTERM."""

from __future__ import annotations

import argparse
import signal
from typing import TYPE_CHECKING, Any

import structlog

from policywatch.cli.common import config_file, serve
from policywatch.observability.metrics import Metrics
from policywatch.settings import Settings, load_settings

if TYPE_CHECKING:
    from policywatch.notifier import NotifierService


def register(subparsers: Any) -> None:
    n = subparsers.add_parser(
        "notifier",
        help="run the notifier service (alerts → receivers)",
        description="SIGHUP reloads routes, receivers and inhibit rules from the config file; "
        "an invalid file is logged and the running config stays.",
    )
    n.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from policywatch.notifier import NotifierService

    log = structlog.get_logger("policywatch.notifier")
    metrics = Metrics.create()
    path = config_file(args)
    service = NotifierService(settings, metrics, reload_settings=lambda: load_settings(path))
    reload_on_sighup(service)
    n = settings.notifier
    return serve(service, metrics, n.metrics_host, n.metrics_port, log)


def reload_on_sighup(service: NotifierService) -> None:
    """SIGHUP reloads routing, receivers and inhibit rules; the handler only sets a flag (the
    service's loop reloads and logs, outside the signal handler)."""
    signal.signal(signal.SIGHUP, lambda *_: service.request_reload())
