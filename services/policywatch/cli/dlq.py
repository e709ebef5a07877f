"""``policywatch dlq list|replay``: the notifications in ``alerts.dlq`` and a second chance.

``replay`` does not deliver by itself: it parks the selected notifications on the retry topic,
due now and with a fresh retry budget, so the running notifier delivers them like any retry —
same ``webhook-id``, so a receiver that got one before drops the duplicate. Run it once the
receiver is back; a receiver still down sends them through the schedule to ``alerts.dlq``
again.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, Producer, wait_for_broker
from policywatch.notifier.dead_letters import DeadLetterEntry
from policywatch.notifier.retries import KafkaRetryParker
from policywatch.settings import Settings
from policywatch.settings.notifier import parse_duration


def register(subparsers: Any) -> None:
    dlq = subparsers.add_parser(
        "dlq", help="list dead-lettered notifications, or replay them to their receivers"
    )
    actions = dlq.add_subparsers(dest="dlq_action", required=True, metavar="ACTION")
    for name, helptext in (
        ("list", "show dead-lettered notifications with the reason"),
        ("replay", "hand dead-lettered notifications back to the notifier (same webhook-id)"),
    ):
        action = actions.add_parser(name, help=helptext)
        action.add_argument("--receiver", help="only this receiver's notifications")
        action.add_argument(
            "--since",
            type=since_timestamp,
            help="only those dead-lettered since TIME: ISO 8601 (2026-12-03T09:00Z) or a "
            "duration ago (90m, 1h30m, 2d)",
        )
        action.add_argument(
            "--timeout", type=float, default=30.0, help="seconds to wait for the broker"
        )
        if name == "list":
            action.add_argument("--json", action="store_true", help="one JSON object per line")
    dlq.set_defaults(func=run)


def since_timestamp(value: str) -> float:
    """Epoch seconds of ``--since``: an ISO 8601 time, or a duration before now."""
    try:
        return time.time() - float(parse_duration(value))
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"not a time or a duration: {value!r} (e.g. 2026-12-03T09:00Z or 2h)"
        ) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        wait_for_broker(settings.kafka, timeout=args.timeout)
        entries = read_dead_letters(settings, timeout=args.timeout)
    except KafkaAdapterError as exc:
        print(f"policywatch dlq: {exc}", file=sys.stderr)
        return 1
    chosen = [
        e
        for e in entries
        if (args.receiver is None or e.notification.receiver == args.receiver)
        and (args.since is None or e.timestamp_ms / 1000 >= args.since)
    ]
    if args.dlq_action == "list":
        for entry in chosen:
            print(json.dumps(as_json(entry)) if args.json else as_line(entry))
        print(f"{len(chosen)} dead-lettered notifications", file=sys.stderr)
        return 0
    return replay(settings, chosen)


def read_dead_letters(settings: Settings, *, timeout: float) -> list[DeadLetterEntry]:
    """Every notification in ``topics.alerts_dlq``, read from the start to the current end."""
    topic = settings.topics.alerts_dlq
    consumer = Consumer(settings.kafka, [topic], None, allow_auto_create_topics=False)
    entries: list[DeadLetterEntry] = []
    deadline = time.monotonic() + timeout
    try:
        if not consumer.assignment():
            raise KafkaAdapterError(f"topic {topic} does not exist", topic=topic)
        while time.monotonic() < deadline:
            records = consumer.poll(timeout_ms=500)
            for record in records:
                entry = DeadLetterEntry.from_record(record)
                if entry is not None:
                    entries.append(entry)
            if not records and not any(consumer.lag().values()):
                return entries
        raise KafkaAdapterError(f"{topic} not read to its end within {timeout:g} s", topic=topic)
    finally:
        consumer.close()


def replay(settings: Settings, entries: list[DeadLetterEntry]) -> int:
    producer = Producer(settings.kafka)
    names = [r.name for r in settings.notifier.effective_receivers()]
    parker = KafkaRetryParker(producer, settings.topics.alerts_retry, names)
    now = time.time()
    try:
        for entry in entries:
            parker.park(
                entry.notification,
                attempts=0,
                due=now,
                error=f"replayed from {settings.topics.alerts_dlq} (was {entry.reason})",
            )
    except KafkaAdapterError as exc:
        print(f"policywatch dlq replay: {exc}", file=sys.stderr)
        return 1
    finally:
        producer.close()
    print(
        f"replayed {len(entries)} notifications to {settings.topics.alerts_retry}; "
        "the notifier delivers them now",
        file=sys.stderr,
    )
    return 0


def as_json(entry: DeadLetterEntry) -> dict[str, Any]:
    n = entry.notification
    return {
        "dead_lettered_at": datetime.fromtimestamp(entry.timestamp_ms / 1000, UTC).isoformat(),
        "receiver": n.receiver,
        "reason": entry.reason,
        "error": entry.error,
        "notification_id": n.id,
        "story_id": n.story_id,
        "kind": n.kind,
        "event_type": n.alert.event_type,
    }


def as_line(entry: DeadLetterEntry) -> str:
    d = as_json(entry)
    return (
        f"{d['dead_lettered_at']}  {d['receiver']}  {d['reason']}  {d['notification_id']}  "
        f"{d['event_type']}  {d['error'][:120]}"
    )
