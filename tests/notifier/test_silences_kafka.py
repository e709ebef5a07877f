"""Silences and inhibition end to end: the ``policywatch silence`` commands, the embedded
broker, the notifier service and a real loopback webhook receiver."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog
from prometheus_client import CollectorRegistry

from policywatch.cli.main import main
from policywatch.kafka import Producer
from policywatch.models import Alert
from policywatch.notifier.service import NotifierService
from policywatch.notifier.webhook_listener import WebhookListener
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, Settings, TopicSettings

from .helpers import SECRET, encoded, make_alert, running, today

pytestmark = pytest.mark.kafka

IMPOSED = "sanctions_imposed"


@pytest.fixture
def cli(
    kafka_settings: KafkaSettings,
    topic_names: TopicSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Callable[..., str]]:
    """``policywatch ARGS...`` against this test's silences topic; returns its stdout."""

    def run(*argv: str) -> str:
        capsys.readouterr()
        # Only while the command runs: the service's own Settings must not see these.
        with monkeypatch.context() as env:
            env.delenv("PW_CONFIG", raising=False)
            env.setenv("PW_KAFKA__BOOTSTRAP_SERVERS", kafka_settings.bootstrap_servers)
            env.setenv("PW_TOPICS__SILENCES", topic_names.silences)
            code = main(list(argv))
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    yield run
    structlog.reset_defaults()  # main() bound logging to capsys's stdout


def _settings(kafka: KafkaSettings, topics: TopicSettings, url: str, **notifier: Any) -> Settings:
    section: dict[str, Any] = {
        "group_id": f"notifier-{uuid.uuid4().hex[:8]}",
        "metrics_port": 0,
        "receivers": [{"name": "ops", "webhook": {"url": url, "secret": SECRET}}],
        "route": {"receiver": "ops", "group_wait": "1s", "group_interval": "1s"},
    }
    section.update(notifier)
    return Settings(kafka=kafka, topics=topics, notifier=section)


def _publish(kafka: KafkaSettings, topic: str, alerts: list[Alert]) -> None:
    producer = Producer(kafka)
    results = [producer.send(topic, encoded(a), key=a.story_key.encode()) for a in alerts]
    producer.flush()
    for r in results:
        r.get()
    producer.close()


def _until(what: str, check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _story(event_type: str, actor: str, target: str, n: int = 1) -> Alert:
    return today(
        make_alert(n, event_type=event_type, actor=(actor, actor), target=(target, target))
    )


def _pairs(hook: WebhookListener) -> list[tuple[str, str, str]]:
    return sorted(
        (n.alert.event_type, n.alert.actor.code, n.alert.target.code if n.alert.target else "-")
        for n in (d.notification() for d in hook.deliveries)
    )


def _silenced(registry: CollectorRegistry) -> float:
    value = registry.get_sample_value(
        "policywatch_notifications_silenced_total", {"receiver": "ops"}
    )
    return value or 0.0


def test_a_silence_holds_across_a_restart_until_it_is_expired(
    kafka_settings: KafkaSettings,
    topic_names: TopicSettings,
    cli: Callable[..., str],
) -> None:
    out = cli(
        "silence", "add", f'event_type="{IMPOSED}"', "--duration", "4h",
        "--comment", "known noise", "--author", "analyst",
    )  # fmt: skip
    silence_id = out.strip()
    listed = cli("silence", "list")
    assert silence_id in listed and "active" in listed and "known noise" in listed

    with WebhookListener(SECRET) as hook:
        settings = _settings(kafka_settings, topic_names, hook.url)
        _publish(
            kafka_settings,
            topic_names.alerts,
            [
                _story("weapons_restriction_lifted", "US", "UA"),
                _story(IMPOSED, "US", "RU"),
                _story(IMPOSED, "EU", "IR"),
                _story("sanctions_lifted", "US", "VE"),
                _story(IMPOSED, "US", "RU", n=2),
            ],
        )
        registry = CollectorRegistry()
        first = NotifierService(settings, Metrics.create(registry))
        with running(first):
            hook.wait_for(2, timeout=30)
            _until("two silenced stories", lambda: _silenced(registry) == 2.0)
        assert _pairs(hook) == [
            ("sanctions_lifted", "US", "VE"),
            ("weapons_restriction_lifted", "US", "UA"),
        ]

        # A new process: the silence comes back from the topic before any alert is handled.
        registry = CollectorRegistry()
        second = NotifierService(settings, Metrics.create(registry))
        with running(second):
            _publish(
                kafka_settings,
                topic_names.alerts,
                [_story(IMPOSED, "GB", "RU"), _story("weapons_restriction_lifted", "GB", "UA")],
            )
            hook.wait_for(3, timeout=30)
            _until("the new story silenced", lambda: _silenced(registry) == 1.0)
            assert [p for p in _pairs(hook) if p[0] == IMPOSED] == []

            # Expired while the notifier runs: no restart, no reload.
            assert cli("silence", "expire", silence_id).strip() == f"expired {silence_id}"
            assert silence_id not in cli("silence", "list")
            assert "expired" in cli("silence", "list", "--expired")
            _until(
                "the expiry to reach the notifier",
                lambda: all(not s.active_now() for s in second.silences.all()),
            )
            _publish(kafka_settings, topic_names.alerts, [_story(IMPOSED, "JP", "KP")])
            hook.wait_for(4, timeout=30)
        assert [p for p in _pairs(hook) if p[0] == IMPOSED] == [(IMPOSED, "JP", "KP")]
        assert len(hook.deliveries) == 4


def test_an_inhibit_rule_mutes_the_target_story_of_the_same_pair(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    with WebhookListener(SECRET) as hook:
        settings = _settings(
            kafka_settings,
            topic_names,
            hook.url,
            route={"receiver": "ops", "group_wait": "2s", "group_interval": "1s"},
            inhibit_rules=[
                {
                    "source_matchers": ['event_type="sanctions_lifted"'],
                    "target_matchers": [f'event_type="{IMPOSED}"'],
                    "equal": ["actor", "target"],
                }
            ],
        )
        _publish(
            kafka_settings,
            topic_names.alerts,
            [
                _story("sanctions_lifted", "US", "VE"),
                _story(IMPOSED, "US", "VE"),
                _story(IMPOSED, "US", "CU"),
            ],
        )
        registry = CollectorRegistry()
        service = NotifierService(settings, Metrics.create(registry))
        with running(service):
            hook.wait_for(2, timeout=30)
            _until(
                "the inhibited story",
                lambda: (
                    registry.get_sample_value(
                        "policywatch_notifications_inhibited_total", {"receiver": "ops"}
                    )
                    == 1.0
                ),
            )
        assert _pairs(hook) == [(IMPOSED, "US", "CU"), ("sanctions_lifted", "US", "VE")]


def test_silence_commands_work_before_the_topic_exists(
    kafka_settings: KafkaSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("PW_CONFIG", raising=False)
    monkeypatch.setenv("PW_KAFKA__BOOTSTRAP_SERVERS", kafka_settings.bootstrap_servers)
    monkeypatch.setenv("PW_TOPICS__SILENCES", f"silences-new-{uuid.uuid4().hex[:8]}")
    try:
        assert main(["silence", "list"]) == 0
        assert capsys.readouterr().out.splitlines()[1:] == []
        assert main(["silence", "expire", "sil_nope"]) == 2
        assert "no silence sil_nope" in capsys.readouterr().err
        assert main(["silence", "add", "actor=US", "--comment", "c", "--duration", "5m"]) == 0
        silence_id = capsys.readouterr().out.strip()
        assert main(["silence", "list"]) == 0
        assert silence_id in capsys.readouterr().out
        assert main(["silence", "add", "colour=red", "--comment", "c"]) == 2
        assert "unknown label 'colour'" in capsys.readouterr().err
    finally:
        structlog.reset_defaults()
