"""``policywatch run``: the whole pipeline on one machine, for a first look.

Starts the embedded broker (unless ``PW_KAFKA__BOOTSTRAP_SERVERS`` or the config names a cluster),
creates the topics, starts a local webhook receiver (unless the config names receivers), starts
the detector and the notifier as child processes, waits until both report ready on ``/readyz``,
serves the bundled demo feeds (RSS and Atom) on loopback and starts ``policywatch ingest`` on them
(or, with ``--articles FILE``, publishes that file), and prints each alert as it arrives on
``alerts`` and each notification the local receiver gets. Ctrl-C (or SIGTERM) stops every
process it started.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from policywatch.broker import EmbeddedBroker, free_port
from policywatch.cli.common import config_file, stop_on_signals
from policywatch.cli.tail import render_record
from policywatch.errors import PolicywatchError
from policywatch.ingest.demo import DemoFeedServer, demo_feed_articles
from policywatch.kafka import Consumer, Producer, ensure_topics, wait_for_broker
from policywatch.models import Article, decode_article
from policywatch.notifier.webhook_listener import (
    WebhookListener,
    generate_secret,
    local_webhook_config,
)
from policywatch.observability.logging import configure_logging
from policywatch.processes import die_with_parent
from policywatch.settings import Settings


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("run", help="broker + ingest + detector + notifier + demo feeds")
    p.add_argument(
        "--articles", help="JSON-lines articles to publish instead of ingesting the demo feeds"
    )
    p.add_argument("--port", type=int, default=9092, help="embedded broker port (default 9092)")
    p.add_argument(
        "--once",
        action="store_true",
        help="exit once every expected demo alert has been shown (for scripts and tests)",
    )
    p.add_argument("--timeout", type=float, default=120.0, help="with --once: give up after S")
    p.set_defaults(func=run)


def _wait_ready(name: str, port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PolicywatchError(f"{name} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise PolicywatchError(f"{name} not ready within {timeout:.0f}s")


def run(args: argparse.Namespace, settings: Settings) -> int:
    broker: EmbeddedBroker | None = None
    workdir = Path(tempfile.mkdtemp(prefix="policywatch-run-"))
    # A cluster named by the environment or the config file is used as is; otherwise one of
    # our own, whose address replaces the default.
    if "bootstrap_servers" not in settings.kafka.model_fields_set:
        broker = EmbeddedBroker("127.0.0.1", args.port, log_file=workdir / "broker.log")
        kafka = settings.kafka.model_copy(update={"bootstrap_servers": broker.bootstrap_servers})
        settings = settings.model_copy(update={"kafka": kafka})
    configure_logging(settings.logging.level, "console")  # a person reads this terminal
    stop = stop_on_signals()
    text = Path(args.articles).read_text("utf-8") if args.articles else None
    feeds = None if text is not None else DemoFeedServer()
    children: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = []
    listener: WebhookListener | None = None
    try:
        if broker is not None:
            broker.start()
            print(f"· embedded broker on {broker.bootstrap_servers} (memory only)")
        else:
            print(f"· using Kafka at {settings.kafka.bootstrap_servers}")
        wait_for_broker(settings.kafka, timeout=30)
        t = settings.topics
        ensure_topics(
            settings.kafka,
            [t.articles, t.articles_dlq, t.alerts, t.alerts_dlq],
            compacted=[t.notifier_state, t.ingest_state],
        )
        ports = {"detector": free_port(), "notifier": free_port(), "ingest": free_port()}
        env = {
            **os.environ,
            "PW_KAFKA__BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
            "PW_DETECTOR__METRICS_PORT": str(ports["detector"]),
            "PW_NOTIFIER__METRICS_PORT": str(ports["notifier"]),
        }
        if not settings.notifier.receivers:
            secret = generate_secret()
            listener = WebhookListener(secret, out=sys.stdout)
            listener.start()
            notifier = local_webhook_config(listener.url, secret)
            notifier["metrics_port"] = ports["notifier"]
            # Demo articles arrive together: group them for 2 s rather than the default 5 s.
            notifier["route"]["group_wait"] = "2s"
            env["PW_NOTIFIER"] = json.dumps(notifier)
            print(f"· local webhook receiver on {listener.url} (signed, Standard Webhooks)")
        base = [sys.executable, "-m", "policywatch"]
        config = config_file(args)
        if config:
            base += ["--config", config]
        services = ["detector", "notifier"]
        if feeds is not None:
            feeds.start()
            env["PW_INGEST"] = json.dumps(
                {"feeds": feeds.feeds(), "metrics_port": ports["ingest"], "timeout": 10}
            )
            services.append("ingest")
            print(f"· demo feeds on {feeds.base_url} (RSS 2.0 and Atom)")
        for name in services:
            log_file: IO[bytes] = open(workdir / f"{name}.log", "ab")  # noqa: SIM115
            # A session of its own: Ctrl-C reaches only `run`, which stops the services first
            # and the broker last, so their final commits still reach it. If `run` is killed
            # outright, they get SIGTERM from the kernel and stop cleanly on their own.
            proc = subprocess.Popen(
                [*base, name],
                env=env,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,
                preexec_fn=die_with_parent(signal.SIGTERM),
            )
            children.append((name, proc, log_file))
        print(f"· {', '.join(services)} started; logs in {workdir}")
        for name, proc, _ in children:
            _wait_ready(name, ports[name], proc, timeout=60)
            print(f"· {name} ready (http://127.0.0.1:{ports[name]}/metrics)")
        if text is not None:
            expected = _expected_alerts(
                settings, [decode_article(x) for x in text.splitlines() if x.strip()]
            )
            published = _publish(settings, text)
            print(f"· published {published} articles; alerts follow (Ctrl-C stops)\n")
        else:
            expected = _expected_alerts(settings, demo_feed_articles())
            print("· ingest is polling the demo feeds; alerts follow (Ctrl-C stops)\n")
        shown = _show_alerts(settings, stop, len(expected) if args.once else None, args.timeout)
        if args.once:
            if shown < len(expected):
                print(f"policywatch run: saw {shown} of {len(expected)} alerts", file=sys.stderr)
                return 1
            if listener is not None and not _wait_notified(listener, expected, args.timeout):
                print("policywatch run: not every alert was notified", file=sys.stderr)
                return 1
        return 0
    except PolicywatchError as exc:
        print(f"policywatch run: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `policywatch run | head`: the reader is gone, so stop quietly
        _stdout_gone()
        return 0
    finally:
        # Every step runs whatever the one before did: a closed stdout must not leave the
        # services or the broker running.
        for _, proc, _ in children:
            if proc.poll() is None:
                proc.terminate()
        if listener is not None:
            listener.stop()
        if feeds is not None:
            feeds.stop()
        for name, proc, log in children:
            try:
                code = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            log.close()
            _say(f"· {name} stopped (exit {code})")
        if broker is not None:
            broker.stop()
            _say("· broker stopped")


def _say(text: str) -> None:
    """Print a progress line; nothing if stdout was closed (``run | head``)."""
    try:
        print(text, flush=True)
    except (BrokenPipeError, ValueError):
        _stdout_gone()


def _stdout_gone() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush does not fail too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _expected_alerts(settings: Settings, articles: list[Article]) -> set[str]:
    """Article ids with an alert, by running the same engine in this process."""
    from policywatch.engine import Engine

    engine = Engine.from_paths(settings.rules.paths)
    now = datetime.now(UTC)
    return {
        f"{alert.article.id}|{alert.event_type}"
        for article in articles
        for alert in engine.detect(article, detected_at=now)
    }


def _wait_notified(listener: WebhookListener, expected: set[str], timeout: float) -> bool:
    """Whether every expected (article, event type) reached the local receiver in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen: set[str] = set()
        for delivery in list(listener.deliveries):
            note = delivery.notification()
            seen.update(f"{src.id}|{note.alert.event_type}" for src in note.sources)
        if expected <= seen:
            return True
        time.sleep(0.2)
    return False


def _publish(settings: Settings, text: str) -> int:
    producer = Producer(settings.kafka)
    lines = [line for line in text.splitlines() if line.strip()]
    results = [
        producer.send(
            settings.topics.articles,
            line.encode(),
            key=decode_article(line).id.encode(),
        )
        for line in lines
    ]
    producer.flush()
    for r in results:
        r.get()
    producer.close()
    return len(lines)


def _show_alerts(settings: Settings, stop: Any, expected: int | None, timeout: float) -> int:
    consumer = Consumer(settings.kafka, [settings.topics.alerts], None)
    deadline = time.monotonic() + timeout
    shown = 0
    try:
        while not stop.is_set():
            if expected is not None and (shown >= expected or time.monotonic() > deadline):
                break
            for record in consumer.poll(timeout_ms=200):
                shown += 1
                print(render_record(record.value or b"", raw=False), flush=True)
    finally:
        consumer.close()
    return shown
