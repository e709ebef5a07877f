"""Secrets stay secret, article text stays out of metrics, YAML cannot run code.

The http(s)-only webhook and Slack URLs are checked in ``tests/notifier/test_config.py``
(``test_webhook_and_slack_urls_must_be_http``) and Slack mention injection in
``tests/notifier/test_slack.py``; this module covers what crosses service boundaries.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import structlog
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from policywatch.broker import free_port
from policywatch.detector import DetectorService
from policywatch.engine import Engine
from policywatch.errors import ConfigError, RuleError
from policywatch.kafka import KafkaClients
from policywatch.kafka.config import common_kwargs
from policywatch.notifier.service import NotifierService
from policywatch.notifier.webhook_listener import WebhookListener, generate_secret
from policywatch.observability.http import HealthServer
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, Settings, TopicSettings, load_settings
from tools.harness import produce, read_topic, readyz, start, wait_for

from ..notifier.helpers import encoded, make_alert, today
from .procs import article_json, service_env
from .test_notifier_faults import SlowListener

WEBHOOK_SECRET = generate_secret()
SLACK_TOKEN = "xoxSLACKTOKEN" + uuid.uuid4().hex
SASL_PASSWORD = "sasl-PASSWORD-" + uuid.uuid4().hex
MARKER = "Zyxwv" + uuid.uuid4().hex[:12]
POSITIVE = (
    "Washington has decided to allow Ukraine to use American-supplied ATACMS missiles against "
    "military targets inside Russia, officials said on Tuesday."
)


def secrets() -> list[str]:
    raw = WEBHOOK_SECRET.removeprefix("whsec_")
    return [WEBHOOK_SECRET, raw, SLACK_TOKEN, SASL_PASSWORD]


def assert_no_secret(text: str, where: str) -> None:
    for secret in secrets():
        assert secret not in text, f"a secret appears in {where}"


@contextmanager
def running(service: Any) -> Iterator[threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=service.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive(), "service did not stop"


def with_password(kafka: KafkaSettings) -> KafkaSettings:
    """The settings with a SASL password held (not used: no mechanism, the broker is open)."""
    data = {**kafka.model_dump(), "sasl_username": "svc", "sasl_password": SASL_PASSWORD}
    return KafkaSettings.model_validate(data)


def _slack_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/services/T000/B000/{SLACK_TOKEN}"


# -- logs -------------------------------------------------------------------------------------


@pytest.mark.kafka
def test_no_secret_is_logged_when_receivers_fail_or_time_out(
    kafka_settings: KafkaSettings,
    topic_names: TopicSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Webhook 500s, a webhook that times out and an unreachable Slack URL: every failure is
    logged and dead-lettered, and no log line or dead-letter header holds a secret."""
    with WebhookListener(WEBHOOK_SECRET) as failing, SlowListener(WEBHOOK_SECRET, delay=2) as slow:
        failing.respond_with(*[500] * 10)
        settings = Settings(
            kafka=with_password(kafka_settings),
            topics=topic_names,
            notifier={
                "group_id": f"n-{uuid.uuid4().hex[:8]}",
                "metrics_port": 0,
                "receivers": [
                    {"name": "failing", "webhook": {"url": failing.url, "secret": WEBHOOK_SECRET}},
                    {"name": "slow", "webhook": {"url": slow.url, "secret": WEBHOOK_SECRET}},
                    {"name": "chat", "slack": {"url": _slack_url(free_port())}},
                ],
                "route": {
                    "receiver": "failing",
                    "group_wait": 0,
                    "routes": [
                        {"receiver": "failing", "continue": True},
                        {"receiver": "slow", "continue": True},
                        {"receiver": "chat"},
                    ],
                },
                "delivery": {"retry_schedule": ["50ms"], "timeout": 0.3},
            },
        )
        assert_no_secret(repr(settings) + str(settings), "the settings' repr")
        alert = today(make_alert(1, evidence=f"{POSITIVE} {MARKER}"))
        produce(kafka_settings, topic_names.alerts, [encoded(alert)])
        caplog.set_level(logging.DEBUG)
        with capture_logs() as logs:
            service = NotifierService(settings, Metrics.create(CollectorRegistry()))
            with running(service):
                dlq = read_topic(kafka_settings, topic_names.alerts_dlq, expect=3, timeout=30)
    events = {e["event"] for e in logs}
    assert {"delivery_retry", "notification_dead_lettered"} <= events
    errors = " ".join(str(e.get("error", "")) for e in logs)
    assert "500" in errors and "timed out" in errors and "unreachable" in errors
    assert sorted((r.header("pw-receiver") or b"").decode() for r in dlq) == [
        "chat",
        "failing",
        "slow",
    ]
    assert_no_secret(repr(logs), "structlog events")
    assert_no_secret(caplog.text, "stdlib logs")
    for record in dlq:
        assert_no_secret(repr(record.headers), "dead-letter headers")
        assert_no_secret((record.value or b"").decode(), "a dead-lettered notification")


def test_no_secret_is_logged_when_kafka_is_unreachable(tmp_path: Path) -> None:
    """The real notifier process, SASL configured, Kafka down: what it writes (debug level)
    while it retries, and after SIGTERM, holds no secret."""
    topics = TopicSettings()
    kafka = KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}")  # nothing listens there
    section = {
        "metrics_port": free_port(),
        "metrics_host": "127.0.0.1",
        "receivers": [
            {"name": "a", "webhook": {"url": "http://127.0.0.1:9/x", "secret": WEBHOOK_SECRET}},
            {"name": "b", "slack": {"url": _slack_url(9)}},
        ],
        "route": {"receiver": "a", "routes": [{"receiver": "b", "continue": True}]},
    }
    env = service_env(
        kafka,
        topics,
        group="-",
        metrics_port=0,
        notifier=section,
        extra={
            "PW_KAFKA__SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "PW_KAFKA__SASL_MECHANISM": "SCRAM-SHA-512",
            "PW_KAFKA__SASL_USERNAME": "svc",
            "PW_KAFKA__SASL_PASSWORD": SASL_PASSWORD,
            "PW_LOGGING__LEVEL": "debug",
        },
    )
    log = tmp_path / "notifier.log"
    proc = start("notifier", env, log)
    try:
        wait_for(lambda: "kafka_unavailable" in log.read_text(), 30, "a Kafka failure logged")
        assert readyz(section["metrics_port"]) == 503
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert_no_secret(log.read_text(), "the notifier's output")


def test_the_admin_clients_debug_log_hides_the_sasl_password() -> None:
    """kafka-python's admin client logs its whole configuration at DEBUG."""
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG)\n"
        "from policywatch.kafka import ensure_topics\n"
        "from policywatch.settings import KafkaSettings\n"
        "k = KafkaSettings(bootstrap_servers=sys.argv[1], security_protocol='SASL_PLAINTEXT',\n"
        "    sasl_mechanism='PLAIN', sasl_username='svc', sasl_password=sys.argv[2])\n"
        "try:\n    ensure_topics(k, ['t'])\nexcept Exception as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, f"127.0.0.1:{free_port()}", SASL_PASSWORD],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    text = out.stdout + out.stderr
    assert "Starting KafkaAdminClient with configuration" in text
    assert "sasl_plain_password" in text
    assert_no_secret(text, "kafka-python's debug log")


@pytest.mark.parametrize(
    "section",
    [
        # An invalid secret is still a secret (perhaps a truncated real one).
        {"receivers": [{"name": "a", "webhook": {"url": "https://x/h", "secret": "SECRET"}}]},
        # A receiver with two kinds: the model error would echo the whole receiver.
        {
            "receivers": [
                {
                    "name": "a",
                    "webhook": {"url": "https://x/h", "secret": "SECRET"},
                    "slack": {"url": "https://hooks.slack.com/services/SECRET"},
                }
            ]
        },
        {"receivers": [{"name": "a", "slack": {"url": "hooks.slack.com/services/SECRET"}}]},
    ],
)
def test_config_errors_do_not_echo_secrets(section: dict[str, Any], tmp_path: Path) -> None:
    import yaml

    text = yaml.safe_dump({"notifier": {**section, "route": {"receiver": "a"}}})
    text = text.replace("SECRET", f"whsec_{SLACK_TOKEN}")
    path = tmp_path / "policywatch.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert_no_secret(str(raised.value), "a config error")
    assert "notifier.receivers.0" in str(raised.value)  # it still says where


def test_a_misspelt_password_key_or_a_broken_yaml_line_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "policywatch.yaml"
    path.write_text(f"kafka:\n  sasl_pasword: {SASL_PASSWORD}\n")
    with pytest.raises(ConfigError, match="sasl_pasword") as raised:
        load_settings(path)
    assert_no_secret(str(raised.value), "a config error")
    path.write_text(f'kafka: {{sasl_password: "{SASL_PASSWORD}"\nx: 1\n')
    with pytest.raises(ConfigError, match="line") as raised:
        load_settings(path)
    assert_no_secret(str(raised.value), "a YAML error")


# -- metrics ----------------------------------------------------------------------------------


@pytest.mark.kafka
def test_metrics_expose_no_secret_and_no_article_text(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    kafka = with_password(kafka_settings)
    with WebhookListener(WEBHOOK_SECRET) as hook:
        settings = Settings(
            kafka=kafka,
            topics=topic_names,
            detector={"group_id": f"d-{uuid.uuid4().hex[:8]}", "metrics_port": 0},
            notifier={
                "group_id": f"n-{uuid.uuid4().hex[:8]}",
                "metrics_port": 0,
                "receivers": [
                    {"name": "ops", "webhook": {"url": hook.url, "secret": WEBHOOK_SECRET}},
                    {"name": "chat", "slack": {"url": _slack_url(hook.port)}},
                ],
                "route": {
                    "receiver": "ops",
                    "group_wait": 0,
                    "routes": [{"receiver": "chat", "continue": True}, {"receiver": "ops"}],
                },
                "delivery": {"retry_schedule": []},
            },
        )
        detector_metrics = Metrics.create(CollectorRegistry())
        notifier_metrics = Metrics.create(CollectorRegistry())
        detector = DetectorService(
            settings, Engine.from_paths(), detector_metrics, KafkaClients(settings.kafka)
        )
        notifier = NotifierService(settings, notifier_metrics)
        servers = [
            HealthServer(detector_metrics.registry, detector.readiness, "127.0.0.1", 0),
            HealthServer(notifier_metrics.registry, notifier.readiness, "127.0.0.1", 0),
        ]
        for server in servers:
            server.start()
        body = f"{POSITIVE} {MARKER} says the {MARKER} desk."
        article = article_json(1, body).replace(b"Wire 1", MARKER.encode())
        try:
            with running(detector), running(notifier):
                produce(kafka_settings, topic_names.articles, [article])
                hook.wait_for(1, timeout=60)
                wait_for(
                    lambda: notifier_metrics.registry.get_sample_value(
                        "policywatch_notifications_dead_lettered_total", {"receiver": "chat"}
                    ),
                    30,
                    "the Slack notification to be dead-lettered (the listener refuses it)",
                )
                pages = [_scrape(server.port) for server in servers]
        finally:
            for server in servers:
                server.stop()
    assert MARKER in hook.deliveries[0].body.decode()  # the text did flow through
    for name, page in zip(("detector", "notifier"), pages, strict=True):
        assert "policywatch_" in page
        assert MARKER not in page, f"article text in the {name}'s /metrics"
        assert_no_secret(page, f"the {name}'s /metrics")
    assert 'policywatch_alerts_produced_total{event_type="weapons_restriction_lifted"' in pages[0]
    assert 'policywatch_notifications_sent_total{receiver="ops"} 1.0' in pages[1]


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        return str(resp.read().decode())


# -- YAML -------------------------------------------------------------------------------------


def test_a_python_tag_in_the_config_file_is_rejected_without_running(tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    path = tmp_path / "policywatch.yaml"
    path.write_text(f'logging: !!python/object/apply:os.mkdir ["{canary}"]\n')
    with pytest.raises(ConfigError, match="python/object"):
        load_settings(path)
    assert not canary.exists()


def test_a_python_tag_in_a_rule_file_is_rejected_without_running(tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "evil.yaml").write_text(
        f'rules:\n  - id: evil.rule\n    title: !!python/object/apply:os.mkdir ["{canary}"]\n'
    )
    with pytest.raises(RuleError) as raised:
        Engine.from_paths([rules])
    assert "evil.yaml" in str(raised.value)
    assert not canary.exists()


# -- Kafka TLS and SASL -----------------------------------------------------------------------


def test_sasl_ssl_with_scram_maps_to_client_options_and_hides_the_password(
    tmp_path: Path,
) -> None:
    ca = tmp_path / "ca.pem"
    settings = KafkaSettings(
        bootstrap_servers="kafka-1.example:9093, kafka-2.example:9093",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="policywatch",
        sasl_password=SASL_PASSWORD,
        ssl_cafile=ca,
    )
    kwargs = common_kwargs(settings)
    assert kwargs["bootstrap_servers"] == ["kafka-1.example:9093", "kafka-2.example:9093"]
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_username"] == "policywatch"
    assert kwargs["sasl_plain_password"] == SASL_PASSWORD  # unwrapped only for the client
    assert kwargs["ssl_cafile"] == str(ca)
    assert "ssl_certfile" not in kwargs and "ssl_keyfile" not in kwargs
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    assert SASL_PASSWORD not in shown
    with capture_logs() as logs:
        structlog.get_logger("policywatch.test").info("kafka_settings", settings=settings)
    assert SASL_PASSWORD not in repr(logs)


def test_ssl_with_a_ca_and_a_client_certificate_maps_to_client_options(tmp_path: Path) -> None:
    settings = KafkaSettings(
        bootstrap_servers="kafka.example:9093",
        security_protocol="SSL",
        ssl_cafile=tmp_path / "ca.pem",
        ssl_certfile=tmp_path / "client.pem",
        ssl_keyfile=tmp_path / "client.key",
    )
    kwargs = common_kwargs(settings)
    assert kwargs["security_protocol"] == "SSL"
    assert kwargs["ssl_cafile"] == str(tmp_path / "ca.pem")
    assert kwargs["ssl_certfile"] == str(tmp_path / "client.pem")
    assert kwargs["ssl_keyfile"] == str(tmp_path / "client.key")
    assert not any(k.startswith("sasl_") for k in kwargs)


def test_tls_and_sasl_come_from_the_config_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "policywatch.yaml"
    path.write_text(
        "kafka:\n"
        "  bootstrap_servers: kafka.example:9096\n"
        "  security_protocol: SASL_SSL\n"
        "  sasl_mechanism: SCRAM-SHA-256\n"
        "  sasl_username: policywatch\n"
        f"  ssl_cafile: {tmp_path / 'ca.pem'}\n"
    )
    monkeypatch.setenv("PW_KAFKA__SASL_PASSWORD", SASL_PASSWORD)
    kwargs = common_kwargs(load_settings(path).kafka)
    assert (kwargs["sasl_mechanism"], kwargs["sasl_plain_password"]) == (
        "SCRAM-SHA-256",
        SASL_PASSWORD,
    )
    assert kwargs["ssl_cafile"] == str(tmp_path / "ca.pem")
