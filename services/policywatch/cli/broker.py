"""``policywatch broker``: the embedded Kafka-compatible broker in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from policywatch.broker import EmbeddedBroker
from policywatch.errors import BrokerError
from policywatch.settings import Settings


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("broker", help="run the embedded Kafka-compatible broker (Tansu)")
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=9092, help="listen port (default 9092)")
    p.set_defaults(func=run)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the broker like Ctrl-C does


def run(args: argparse.Namespace, settings: Settings) -> int:
    broker = EmbeddedBroker(args.host, args.port)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        broker.start()
    except BrokerError as exc:
        print(f"policywatch broker: {exc}", file=sys.stderr)
        return 1
    print(f"broker listening on {broker.bootstrap_servers} (memory only); Ctrl-C stops it")
    try:
        return broker.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        broker.stop()
