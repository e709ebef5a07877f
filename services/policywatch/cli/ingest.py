"""``policywatch ingest [--once]``: poll the configured RSS and Atom feeds into ``articles``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import structlog

from policywatch.cli.common import serve
from policywatch.errors import KafkaAdapterError
from policywatch.observability.metrics import Metrics
from policywatch.settings import Settings


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("ingest", help="run the ingest service (feeds → articles)")
    p.add_argument(
        "--once",
        action="store_true",
        help="poll every feed once and exit (1 if a feed failed)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from policywatch.ingest import IngestService

    log = structlog.get_logger("policywatch.ingest")
    if not settings.ingest.feeds:
        log.warning("no_feeds_configured", hint="add ingest.feeds to the config (docs/ingest.md)")
    metrics = Metrics.create()
    service = IngestService(settings, metrics)
    if not args.once:
        config = settings.ingest
        return serve(service, metrics, config.metrics_host, config.metrics_port, log)
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
