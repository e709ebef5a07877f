"""``policywatch publish``: put JSON-lines articles on a topic, keyed by article id."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from policywatch.cli.common import read_lines
from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Producer, ensure_topics, wait_for_broker
from policywatch.settings import Settings


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("publish", help="publish JSON-lines articles to a topic")
    p.add_argument("files", nargs="*", metavar="FILE", help="JSON-lines files; - or none: stdin")
    p.add_argument("--topic", help="topic (default: the articles topic)")
    p.set_defaults(func=publish)


def publish(args: argparse.Namespace, settings: Settings) -> int:
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
