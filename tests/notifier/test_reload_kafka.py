"""SIGHUP reloads the notifier's routing, receivers and inhibit rules; a bad file changes
nothing."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from policywatch.cli.notifier import reload_on_sighup
from policywatch.kafka import Producer
from policywatch.models import Alert
from policywatch.notifier.service import NotifierService
from policywatch.notifier.webhook_listener import WebhookListener
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, Settings, TopicSettings, load_settings

from .helpers import SECRET, encoded, make_alert, running, today

pytestmark = pytest.mark.kafka


def _config(path: Path, group: str, hooks: dict[str, str], default: str) -> None:
    receivers = "".join(
        f"    - name: {name}\n      webhook: {{url: '{url}', secret: '{SECRET}'}}\n"
        for name, url in hooks.items()
    )
    path.write_text(
        f"notifier:\n  group_id: {group}\n  metrics_port: 0\n  receivers:\n{receivers}"
        f"  route: {{receiver: {default}, group_wait: 0s, group_interval: 1s}}\n",
        encoding="utf-8",
    )


def _publish(kafka: KafkaSettings, topic: str, alert: Alert) -> None:
    producer = Producer(kafka)
    producer.send(topic, encoded(alert), key=alert.story_key.encode()).get()
    producer.close()


def _reloads(registry: CollectorRegistry, result: str) -> float:
    return (
        registry.get_sample_value("policywatch_notifier_config_reloads_total", {"result": result})
        or 0.0
    )


def _wait_reloads(registry: CollectorRegistry, result: str, count: float) -> None:
    deadline = time.monotonic() + 20
    while _reloads(registry, result) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {result} reload")
        time.sleep(0.05)


@pytest.fixture
def sighup_restored() -> Iterator[None]:
    previous = signal.getsignal(signal.SIGHUP)
    yield
    signal.signal(signal.SIGHUP, previous)


def test_sighup_swaps_in_a_valid_config_and_keeps_the_running_one_when_invalid(
    kafka_settings: KafkaSettings,
    topic_names: TopicSettings,
    tmp_path: Path,
    sighup_restored: None,
) -> None:
    path = tmp_path / "policywatch.yaml"
    group = f"notifier-{uuid.uuid4().hex[:8]}"

    def load() -> Settings:
        return load_settings(path, kafka=kafka_settings, topics=topic_names)

    def _send(alert: Alert) -> None:
        _publish(kafka_settings, topic_names.alerts, alert)

    with WebhookListener(SECRET) as ops, WebhookListener(SECRET) as analysts:
        _config(path, group, {"ops": ops.url}, "ops")
        registry = CollectorRegistry()
        service = NotifierService(load(), Metrics.create(registry), reload_settings=load)
        reload_on_sighup(service)
        with running(service), capture_logs() as logs:
            _send(today(make_alert(1, actor=("FR", "France"))))
            assert len(ops.wait_for(1, timeout=30)) == 1

            _config(path, group, {"ops": ops.url, "analysts": analysts.url}, "analysts")
            os.kill(os.getpid(), signal.SIGHUP)
            _wait_reloads(registry, "ok", 1)
            _send(today(make_alert(1, actor=("DE", "Germany"))))
            assert len(analysts.wait_for(1, timeout=30)) == 1

            path.write_text(
                path.read_text(encoding="utf-8").replace("receiver: analysts", "receiver: nobody"),
                encoding="utf-8",
            )
            os.kill(os.getpid(), signal.SIGHUP)
            _wait_reloads(registry, "failed", 1)
            _send(today(make_alert(1, actor=("IT", "Italy"))))
            assert len(analysts.wait_for(2, timeout=30)) == 2
        assert len(ops.deliveries) == 1
        assert [d.notification().alert.actor.code for d in analysts.deliveries] == ["DE", "IT"]
        assert _reloads(registry, "ok") == 1.0
    events = [e for e in logs if e["event"].startswith("notifier_config_reload")]
    assert [e["event"] for e in events] == [
        "notifier_config_reloaded",
        "notifier_config_reload_failed",
    ]
    assert "nobody" in events[1]["error"] and events[1]["keeping"] == "running config"
    structlog.reset_defaults()
