"""``policywatch tail``: print the records of a topic as they arrive, alerts readable."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from policywatch.cli.common import stop_on_signals
from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, wait_for_broker
from policywatch.models import Alert
from policywatch.render import format_alert
from policywatch.settings import Settings


def register(subparsers: Any) -> None:
    t = subparsers.add_parser("tail", help="print records of a topic as they arrive")
    t.add_argument("--topic", help="topic (default: the alerts topic)")
    t.add_argument("--json", action="store_true", help="print raw JSON instead of readable alerts")
    t.add_argument("--from-beginning", action="store_true", help="start at the earliest record")
    t.add_argument("--max", type=int, default=0, help="stop after this many records (0: never)")
    t.set_defaults(func=tail)


def tail(args: argparse.Namespace, settings: Settings) -> int:
    topic = args.topic or settings.topics.alerts
    stop = stop_on_signals()
    try:
        wait_for_broker(settings.kafka, timeout=15)
        # A reader must not create what it reads: a typo would otherwise leave a topic behind.
        consumer = Consumer(settings.kafka, [topic], None, allow_auto_create_topics=False)
        if not consumer.assignment():
            consumer.close()
            print(
                f"policywatch tail: topic {topic!r} does not exist on "
                f"{settings.kafka.bootstrap_servers} (check --topic or the topics: settings)",
                file=sys.stderr,
            )
            return 1
        if not args.from_beginning:
            for t, p in consumer.assignment():
                consumer.seek_to_end(t, p)
    except KafkaAdapterError as exc:
        print(f"policywatch tail: {exc}", file=sys.stderr)
        return 1
    seen = 0
    try:
        while not stop.is_set() and (args.max == 0 or seen < args.max):
            for record in consumer.poll(timeout_ms=200):
                seen += 1
                print(render_record(record.value or b"", raw=args.json), flush=True)
                if args.max and seen >= args.max:
                    break
            time.sleep(0)
    finally:
        consumer.close()
    return 0


def render_record(value: bytes, *, raw: bool) -> str:
    text = value.decode("utf-8", "replace")
    if raw:
        return text
    try:
        return format_alert(Alert.model_validate_json(value)) + "\n"
    except ValueError:
        return text
