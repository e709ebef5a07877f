"""Delivery you can rely on, end to end: a dead receiver beside a healthy one on the embedded
broker, with real loopback webhook receivers; the retry topic, the DLQ and ``dlq replay``."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from policywatch.models import Alert
from policywatch.notifier.retries import Parked
from policywatch.notifier.service import NotifierService
from policywatch.notifier.webhook_listener import WebhookListener
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, Settings, TopicSettings
from tools.harness import produce, read_topic, service_env

from .helpers import SECRET, encoded, make_alert, running, today

pytestmark = pytest.mark.kafka

QUEUE_SIZE = 2


def _stories(count: int) -> list[Alert]:
    """``count`` alerts, each its own story (grouped by outlet)."""
    return [today(make_alert(i, source=f"outlet-{i}")) for i in range(count)]


def _settings(
    kafka: KafkaSettings, topics: TopicSettings, healthy: str, down: str, **delivery: Any
) -> Settings:
    section: dict[str, Any] = {
        "group_id": f"notifier-{uuid.uuid4().hex[:8]}",
        "metrics_port": 0,
        "receivers": [
            {"name": "ops", "webhook": {"url": healthy, "secret": SECRET}},
            {"name": "down", "webhook": {"url": down, "secret": SECRET}},
        ],
        "route": {
            "receiver": "ops",
            "group_by": ["source"],
            "group_wait": 0,
            "routes": [{"receiver": "down", "continue": True}, {"receiver": "ops"}],
        },
        "delivery": {"retry_schedule": ["200ms", "500ms"], "queue_size": QUEUE_SIZE, **delivery},
    }
    return Settings(kafka=kafka, topics=topics, notifier=section)


def _publish(kafka: KafkaSettings, topic: str, alerts: list[Alert]) -> None:
    produce(kafka, topic, [encoded(a) for a in alerts])


@contextmanager
def _queued_peak(registry: CollectorRegistry) -> Iterator[list[float]]:
    """The largest ``policywatch_receiver_queued`` seen while the block runs, sampled."""
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            for metric in registry.collect():
                if metric.name == "policywatch_receiver_queued":
                    for s in metric.samples:
                        peak[0] = max(peak[0], s.value)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def _cli(env: dict[str, str], *args: str) -> str:
    """``policywatch ARGS`` as a process; its stdout (it must exit 0)."""
    done = subprocess.run(
        [sys.executable, "-m", "policywatch", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _wait_committed(service: NotifierService, total: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while sum(service.committed_offsets().values()) < total:
        assert time.monotonic() < deadline, service.committed_offsets()
        time.sleep(0.05)


def test_a_dead_receiver_does_not_delay_a_healthy_one_and_its_notifications_are_replayed(
    kafka_settings: KafkaSettings,
    topic_names: TopicSettings,
) -> None:
    stories = _stories(20)
    attempts = 3  # the first and the two of the schedule
    with WebhookListener(SECRET) as healthy, WebhookListener(SECRET) as down:
        down.respond_with(*[503] * (len(stories) * attempts))
        registry = CollectorRegistry()
        settings = _settings(kafka_settings, topic_names, healthy.url, down.url)
        service = NotifierService(settings, Metrics.create(registry))
        with running(service), _queued_peak(registry) as peak:
            _publish(kafka_settings, topic_names.alerts, stories)
            got = healthy.wait_for(len(stories), timeout=20)
            assert len(got) == len(stories), "the healthy receiver was held up"
            # Every alert is done — sent to ops, parked for down — so every offset commits
            # while down is still failing: the retries hold no offset.
            _wait_committed(service, len(stories))
            dlq = read_topic(kafka_settings, topic_names.alerts_dlq, expect=len(stories))
            assert down.deliveries == []
        assert peak[0] <= QUEUE_SIZE
        assert down.attempts == len(stories) * attempts
        assert {d.notification().sources[0].source for d in got} == {
            a.article.source for a in stories
        }

        assert len(dlq) == len(stories)
        assert {r.header("pw-dlq-reason") for r in dlq} == {b"retries_exhausted"}
        assert {r.header("pw-receiver") for r in dlq} == {b"down"}
        dead_ids = {(r.header("pw-notification-id") or b"").decode() for r in dlq}
        assert len(dead_ids) == len(stories)

        # The failures waited on the retry topic, keyed by receiver, with a due time, after
        # attempts 1 and 2 each (and maybe once before the first attempt, while down failed).
        retry = read_topic(kafka_settings, topic_names.alerts_retry, expect=2 * len(stories))
        parked = [Parked.from_record(r) for r in retry if r.key == b"down"]
        # Each receiver has a retry partition of its own: ops never waits behind down.
        down_parts = {r.partition for r in retry if r.key == b"down"}
        assert len(down_parts) == 1
        assert not down_parts & {r.partition for r in retry if r.key == b"ops"}
        # ops only ever overflowed its queue during the burst (parked unattempted), never failed.
        assert {Parked.from_record(r).attempts for r in retry if r.key == b"ops"} <= {0}
        for n in (1, 2):
            assert sorted(p.notification.id for p in parked if p.attempts == n) == sorted(dead_ids)

        env = service_env(kafka_settings, topic_names)
        listed = _cli(env, "dlq", "list", "--receiver", "down").splitlines()
        assert len(listed) == len(stories)
        assert all("retries_exhausted" in line for line in listed)
        assert _cli(env, "dlq", "list", "--receiver", "ops") == ""

        # down answers 200 again (its script is spent): replay, to the notifier restarted.
        service = NotifierService(settings, Metrics.create(CollectorRegistry()))
        with running(service):
            _cli(env, "dlq", "replay", "--receiver", "down", "--since", "1h")
            back = down.wait_for(len(stories), timeout=30)
            time.sleep(1.0)  # a duplicate would arrive meanwhile
        assert sorted(d.id or "" for d in down.deliveries) == sorted(dead_ids)
        assert len(back) == len(stories) and len(healthy.deliveries) == len(stories)


def test_a_receiver_that_never_answers_does_not_delay_a_healthy_one(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    stories = _stories(12)
    # Connections complete in the kernel's backlog, but nothing ever reads or answers.
    with socket.socket() as silent, WebhookListener(SECRET) as healthy:
        silent.bind(("127.0.0.1", 0))
        silent.listen(128)
        port = silent.getsockname()[1]
        registry = CollectorRegistry()
        service = NotifierService(
            _settings(
                kafka_settings,
                topic_names,
                healthy.url,
                f"http://127.0.0.1:{port}/hook",
                timeout="2s",
                retry_schedule=["1h"],
            ),
            Metrics.create(registry),
        )
        with running(service), _queued_peak(registry) as peak:
            _publish(kafka_settings, topic_names.alerts, stories)
            got = healthy.wait_for(len(stories), timeout=15)
            assert len(got) == len(stories), "the healthy receiver was held up"
            _wait_committed(service, len(stories))
        assert peak[0] <= QUEUE_SIZE
        retried = registry.get_sample_value(
            "policywatch_notifications_retried_total", {"receiver": "down"}
        )
        assert retried is not None and retried >= 1
