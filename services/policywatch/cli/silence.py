"""``policywatch silence add|list|expire``: mute notifications of matching stories for a while.

Silences are records of the compacted topic ``topics.silences`` (keyed by id); every notifier
replica follows the topic, so a change applies everywhere within a second, survives restarts,
and needs no reload. ``expire`` rewrites the silence ending now.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from policywatch.errors import KafkaAdapterError
from policywatch.models.matchers import MatcherError, parse_matcher
from policywatch.models.silence import Silence
from policywatch.settings import Settings
from policywatch.settings.notifier import LABELS, parse_duration

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "silence",
        help="add, list or expire silences of notifications",
        description="Silences mute the notifications of stories whose labels match "
        "(docs/notifier.md); they live in the topics.silences topic.",
    )
    sub = parser.add_subparsers(dest="silence_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a silence; prints its id")
    add.add_argument(
        "matchers",
        nargs="+",
        metavar="MATCHER",
        help="e.g. 'event_type=\"sanctions_imposed\"' 'actor!=US' 'severity=~\"low|medium\"'",
    )
    add.add_argument("--duration", default="1h", help="how long, e.g. 30m, 4h, 1d (default 1h)")
    add.add_argument("--comment", required=True, help="why (shown by silence list)")
    add.add_argument("--author", default=None, help="who (default: the login name)")
    add.set_defaults(func=_add)
    ls = sub.add_parser("list", help="list active silences")
    ls.add_argument("--expired", action="store_true", help="list expired silences too")
    ls.set_defaults(func=_list)
    expire = sub.add_parser("expire", help="end silences now")
    expire.add_argument("ids", nargs="+", metavar="ID")
    expire.set_defaults(func=_expire)


def _fail(message: str) -> int:
    print(f"policywatch silence: {message}", file=sys.stderr)
    return 2


def _add(args: argparse.Namespace, settings: Settings) -> int:
    from policywatch.notifier.silences import write_silence

    for text in args.matchers:
        try:
            name = parse_matcher(text).name
        except MatcherError as exc:
            return _fail(str(exc))
        if name not in LABELS:
            return _fail(f"{text!r}: unknown label {name!r} (one of {', '.join(LABELS)})")
    try:
        seconds = float(parse_duration(args.duration))
    except ValueError as exc:
        return _fail(str(exc))
    if seconds <= 0:
        return _fail("--duration must be positive")
    silence = Silence.create(
        tuple(args.matchers),
        timedelta(seconds=seconds),
        comment=args.comment,
        created_by=args.author or getpass.getuser(),
    )
    try:
        write_silence(settings.kafka, settings.topics.silences, silence)
    except KafkaAdapterError as exc:
        return _fail(f"cannot write to {settings.topics.silences}: {exc}")
    print(silence.id)
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from policywatch.notifier.silences import read_silences

    try:
        silences = read_silences(settings.kafka, settings.topics.silences)
    except KafkaAdapterError as exc:
        return _fail(f"cannot read {settings.topics.silences}: {exc}")
    now = datetime.now(UTC)
    shown = [s for s in silences if args.expired or s.ends_at > now]
    print(f"{'ID':<21} {'STATE':<8} {'ENDS':<20} {'AUTHOR':<12} MATCHERS  COMMENT")
    for s in sorted(shown, key=lambda s: s.starts_at):
        state = "active" if s.active(now) else "pending" if s.starts_at > now else "expired"
        ends = s.ends_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        print(
            f"{s.id:<21} {state:<8} {ends:<20} {s.created_by:<12} {' '.join(s.matchers)}  "
            f"{s.comment}"
        )
    return 0


def _expire(args: argparse.Namespace, settings: Settings) -> int:
    from policywatch.notifier.silences import read_silences, write_silence

    topic = settings.topics.silences
    try:
        known = {s.id: s for s in read_silences(settings.kafka, topic)}
    except KafkaAdapterError as exc:
        return _fail(f"cannot read {topic}: {exc}")
    missing = [i for i in args.ids if i not in known]
    if missing:
        return _fail(f"no silence {', '.join(missing)} in {topic}")
    now = datetime.now(UTC)
    try:
        for silence_id in args.ids:
            write_silence(settings.kafka, topic, known[silence_id].expired(now))
            print(f"expired {silence_id}")
    except KafkaAdapterError as exc:
        return _fail(f"cannot write to {topic}: {exc}")
    return 0
