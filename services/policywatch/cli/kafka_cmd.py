"""``policywatch publish`` and ``policywatch tail``: put articles on a topic, watch a topic."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from policywatch.cli.common import read_lines, settings_from, stop_on_signals
from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, Producer, ensure_topics, wait_for_broker
from policywatch.models import Alert
from policywatch.render import format_alert


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("publish", help="publish JSON-lines articles to a topic")
    p.add_argument("files", nargs="*", metavar="FILE", help="JSON-lines files; - or none: stdin")
    p.add_argument("--topic", help="topic (default: the articles topic)")
    p.set_defaults(func=publish)
    t = subparsers.add_parser("tail", help="print records of a topic as they arrive")
    t.add_argument("--topic", help="topic (default: the alerts topic)")
    t.add_argument("--json", action="store_true", help="print raw JSON instead of readable alerts")
    t.add_argument("--from-beginning", action="store_true", help="start at the earliest record")
    t.add_argument("--max", type=int, default=0, help="stop after this many records (0: never)")
    t.set_defaults(func=tail)


def publish(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    topic = args.topic or settings.topics.articles
    lines = read_lines(args.files)
    try:
        wait_for_broker(settings.kafka, timeout=15)
        ensure_topics(settings.kafka, [topic])
        producer = Producer(settings.kafka)
        results = []
        for _, _, line in lines:
            key = None
            try:
                doc = json.loads(line)
                if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                    key = doc["id"].encode()
            except ValueError:
                pass  # published as-is: the detector dead-letters what it cannot read
            results.append(producer.send(topic, line.encode("utf-8"), key=key))
        producer.flush()
        for r in results:
            r.get()
        producer.close()
    except KafkaAdapterError as exc:
        print(f"policywatch publish: {exc}", file=sys.stderr)
        return 1
    print(f"published {len(lines)} records to {topic}", file=sys.stderr)
    return 0


def tail(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    topic = args.topic or settings.topics.alerts
    stop = stop_on_signals()
    try:
        wait_for_broker(settings.kafka, timeout=15)
        ensure_topics(settings.kafka, [topic])
        consumer = Consumer(settings.kafka, [topic], None)
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
