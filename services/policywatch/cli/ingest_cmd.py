"""``policywatch ingest [--once]``: poll the configured RSS and Atom feeds into ``articles``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import structlog

from policywatch.cli.common import settings_from, stop_on_signals
from policywatch.errors import KafkaAdapterError
from policywatch.observability.http import HealthServer
from policywatch.observability.metrics import Metrics


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("ingest", help="run the ingest service (feeds → articles)")
    p.add_argument(
        "--once",
        action="store_true",
        help="poll every feed once and exit (1 if a feed failed)",
    )
    p.set_defaults(func=run_ingest)


def run_ingest(args: argparse.Namespace) -> int:
    from policywatch.ingest import IngestService

    settings = settings_from(args)
    log = structlog.get_logger("policywatch.ingest")
    if not settings.ingest.feeds:
        log.warning("no_feeds_configured", hint="add ingest.feeds to the config (docs/ingest.md)")
    metrics = Metrics.create()
    service = IngestService(settings, metrics)
    if args.once:
        try:
            service.start()
        except KafkaAdapterError as exc:
            print(f"policywatch ingest: {exc}", file=sys.stderr)
            return 1
        try:
            outcomes = service.poll_all()
        finally:
            service.close()
        failed = {name: o for name, o in outcomes.items() if o not in ("ok", "not_modified")}
        for name, outcome in sorted(failed.items()):
            print(f"policywatch ingest: feed {name} failed: {outcome}", file=sys.stderr)
        return 1 if failed else 0
    config = settings.ingest
    http = HealthServer(
        metrics.registry, service.readiness, config.metrics_host, config.metrics_port
    )
    stop = stop_on_signals()
    if config.metrics_port:
        http.start()
        log.info("http_listening", port=http.port)
    try:
        service.run(stop)
    finally:
        http.stop()
    return 0
