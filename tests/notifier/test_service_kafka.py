"""The notifier service end to end: embedded broker, real loopback webhook receivers."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from standardwebhooks.webhooks import Webhook

from policywatch.kafka import Producer
from policywatch.notifier.service import NotifierService
from policywatch.notifier.webhook_listener import WebhookListener
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, Settings, TopicSettings
from tools.harness import read_topic

from .helpers import SECRET, encoded, make_alert, running, today

pytestmark = pytest.mark.kafka


def _settings(kafka: KafkaSettings, topics: TopicSettings, url: str, **notifier: Any) -> Settings:
    section: dict[str, Any] = {
        "group_id": f"notifier-{uuid.uuid4().hex[:8]}",
        "metrics_port": 0,
        "receivers": [{"name": "ops", "webhook": {"url": url, "secret": SECRET}}],
        "route": {"receiver": "ops", "group_wait": "1s", "group_interval": "1s"},
        "delivery": {"retry_schedule": ["50ms", "200ms"]},
    }
    section.update(notifier)
    return Settings(kafka=kafka, topics=topics, notifier=section)


def _publish(kafka: KafkaSettings, topic: str, values: list[tuple[bytes, bytes]]) -> None:
    producer = Producer(kafka)
    results = [producer.send(topic, v, key=k) for k, v in values]
    producer.flush()
    for r in results:
        r.get()
    producer.close()


def _wait_ready(service: NotifierService, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not service.readiness()[0]:
        if time.monotonic() > deadline:
            raise AssertionError(f"notifier not ready: {service.readiness()[1]}")
        time.sleep(0.05)


def test_burst_is_one_notification_and_restart_does_not_renotify(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    alerts = [today(make_alert(i)) for i in range(1, 6)]
    with WebhookListener(SECRET) as hook:
        settings = _settings(kafka_settings, topic_names, hook.url)
        _publish(
            kafka_settings,
            topic_names.alerts,
            [(a.story_key.encode(), encoded(a)) for a in alerts],
        )
        first = NotifierService(settings, Metrics.create(CollectorRegistry()))
        t0 = time.monotonic()
        with running(first):
            _wait_ready(first)
            print("ready after", time.monotonic() - t0)
            got = hook.wait_for(1, timeout=20)
            time.sleep(1.5)  # a second notification would come after group_interval
        assert len(hook.deliveries) == 1
        delivery = got[0]
        Webhook(SECRET).verify(delivery.body, delivery.headers)
        note = delivery.notification()
        assert (note.kind, note.sequence, note.corroboration) == ("new", 1, 5)
        assert delivery.id == note.id

        # Same state topic, offsets forgotten (a fresh group): everything is re-read.
        again = _settings(kafka_settings, topic_names, hook.url)
        second = NotifierService(again, Metrics.create(CollectorRegistry()))
        with running(second):
            _wait_ready(second)
            time.sleep(2.0)  # re-read alerts are known: nothing is sent
            assert len(hook.deliveries) == 1
            sixth = today(make_alert(6))
            _publish(
                kafka_settings, topic_names.alerts, [(sixth.story_key.encode(), encoded(sixth))]
            )
            got = hook.wait_for(2, timeout=15)
        update = got[1].notification()
        assert (update.kind, update.story_id, update.sequence) == ("update", note.story_id, 2)
        assert update.corroboration == 6
        assert got[1].id != got[0].id


def test_dead_receiver_ends_in_dlq_while_kafka_route_delivers_and_offsets_commit(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    critical_topic = f"alerts.critical-{uuid.uuid4().hex[:8]}"
    alert = today(make_alert(1))
    with WebhookListener(SECRET) as hook:
        hook.respond_with(*([503] * 10))
        settings = _settings(
            kafka_settings,
            topic_names,
            hook.url,
            receivers=[
                {"name": "ops", "webhook": {"url": hook.url, "secret": SECRET}},
                {"name": "critical", "kafka": {"topic": critical_topic}},
            ],
            route={
                "receiver": "ops",
                "group_wait": 0,
                "routes": [
                    {"match": {"severity": "critical"}, "receiver": "critical", "continue": True},
                    {"receiver": "ops"},
                ],
            },
        )
        _publish(
            kafka_settings,
            topic_names.alerts,
            [(alert.story_key.encode(), encoded(alert)), (b"junk", b"{not an alert")],
        )
        registry = CollectorRegistry()
        service = NotifierService(settings, Metrics.create(registry))
        with running(service):
            _wait_ready(service)
            dlq = read_topic(kafka_settings, topic_names.alerts_dlq, expect=2, timeout=20)
            # read_topic returns what it has at the timeout: a stall shows here, not as a commit
            assert len(dlq) == 2, [r.header("pw-dlq-reason") for r in dlq]
            deadline = time.monotonic() + 10
            while sum(service.committed_offsets().values()) != 2:
                assert time.monotonic() < deadline, service.committed_offsets()
                time.sleep(0.05)
        assert hook.attempts == 3  # the first attempt and two retries
        assert hook.deliveries == []
    reasons = sorted((r.header("pw-dlq-reason") or b"").decode() for r in dlq)
    assert reasons == ["invalid_alert", "retries_exhausted"]
    dead = next(r for r in dlq if r.header("pw-dlq-reason") == b"retries_exhausted")
    assert dead.header("pw-receiver") == b"ops"
    assert b"503" in (dead.header("pw-dlq-error") or b"")
    topic_records = read_topic(kafka_settings, critical_topic, expect=1, timeout=10)
    assert len(topic_records) == 1
    assert dead.header("pw-story-id") != topic_records[0].header("pw-story-id")  # own stories
    assert (
        registry.get_sample_value(
            "policywatch_notifications_dead_lettered_total", {"receiver": "ops"}
        )
        == 1.0
    )
    assert (
        registry.get_sample_value("policywatch_notifications_sent_total", {"receiver": "critical"})
        == 1.0
    )


def test_a_new_group_with_auto_offset_reset_latest_skips_the_history(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    old, new = today(make_alert(1, actor=("FR", "France"))), today(make_alert(2))
    _publish(kafka_settings, topic_names.alerts, [(old.story_key.encode(), encoded(old))])
    with WebhookListener(SECRET) as hook:
        settings = _settings(
            kafka_settings,
            topic_names,
            hook.url,
            auto_offset_reset="latest",
            route={"receiver": "ops", "group_wait": 0},
        )
        service = NotifierService(settings, Metrics.create(CollectorRegistry()))
        with running(service):
            _wait_ready(service)
            time.sleep(1.0)  # the consumer settles its starting position at the end
            _publish(kafka_settings, topic_names.alerts, [(new.story_key.encode(), encoded(new))])
            hook.wait_for(1, timeout=20)
            time.sleep(1.0)  # the old alert, if read, would be notified meanwhile
    assert [d.notification().alert.alert_id for d in hook.deliveries] == [new.alert_id]
