"""The Kafka-facing CLI commands, run as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from policywatch.broker import free_port
from policywatch.settings import KafkaSettings, TopicSettings
from tools.harness import produce, read_topic

pytestmark = pytest.mark.kafka


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policywatch", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_publish_puts_each_line_on_the_topic_keyed_by_article_id(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, tmp_path: Path
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"id": "k1", "body": "x"})
        + "\n\n"
        + json.dumps({"id": "k2", "body": "y"})
        + "\n"
    )
    result = cli(
        "publish",
        str(path),
        "--topic",
        topic_names.articles,
        env={"PW_KAFKA__BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers},
    )
    assert result.returncode == 0, result.stderr
    records = read_topic(kafka_settings, topic_names.articles, expect=2)
    assert sorted(r.key or b"" for r in records) == [b"k1", b"k2"]


def test_tail_on_a_missing_topic_exits_non_zero_and_does_not_create_it(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    produce(kafka_settings, topic_names.alerts, [b'{"not": "an alert"}'])
    there = cli(
        "tail",
        "--topic",
        topic_names.alerts,
        "--from-beginning",
        "--max",
        "1",
        env={"PW_KAFKA__BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers},
        timeout=60,
    )
    assert there.returncode == 0, there.stderr
    assert '{"not": "an alert"}' in there.stdout

    missing = f"no-such-topic-{uuid.uuid4().hex[:8]}"
    result = cli(
        "tail",
        "--topic",
        missing,
        "--max",
        "1",
        env={"PW_KAFKA__BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers},
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"topic '{missing}' does not exist" in result.stderr
    admin = KafkaAdminClient(bootstrap_servers=kafka_settings.bootstrap_servers)
    try:
        assert missing not in admin.list_topics()
    finally:
        admin.close()


@pytest.mark.slow
def test_run_once_starts_everything_shows_demo_alerts_and_stops_cleanly() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PW_")}
    result = subprocess.run(
        [sys.executable, "-m", "policywatch", "run", "--once", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "weapons_restriction_lifted" in out
    assert "United States (US) → Ukraine (UA)" in out
    assert "ATACMS" in out
    # The near-misses of the demo (a plea, a warning, COVID rules, a review embargo) stay quiet.
    assert "COVID" not in out
    assert "review embargo" not in out.lower()
    for name in ("detector", "notifier"):
        assert f"{name} stopped (exit 0)" in out
    assert "broker stopped" in out
