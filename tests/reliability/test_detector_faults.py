"""Faults the detector must survive: kill -9, SIGTERM under load, the broker going away."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policywatch.broker import EmbeddedBroker, free_port
from policywatch.engine import Engine
from policywatch.kafka import Consumer, Producer, committed_offsets, ensure_topics
from policywatch.models import Alert, decode_article
from policywatch.settings import KafkaSettings, TopicSettings
from tools.harness import cpu_seconds, produce, read_topic, readyz, start, terminate, wait_for

from .procs import article_json, service_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

POSITIVES = (
    "Washington has decided to allow Ukraine to use American-supplied ATACMS missiles against "
    "military targets inside Russia, officials said on Tuesday.",
    "The European Union on Thursday adopted a new package of sanctions against Russia, adding "
    "two banks and dozens of tankers to its blacklist.",
    "The United States has paused funding for a UN relief agency while allegations against its "
    "staff are investigated, the State Department said.",
)
FILLER = (
    "The regional council approved a budget for public libraries and a new cycle lane on Monday, "
    "after a long debate about parking. "
)


def stream(count: int) -> list[bytes]:
    """Every fourth article reports a policy shift in its lead, as news does (the engine passes
    over a decision told once past the lead); the rest are ordinary news."""
    return [
        article_json(n, (POSITIVES[n % 3] + " " if n % 4 == 0 else FILLER) + FILLER * 3)
        for n in range(count)
    ]


def produce_paced(kafka: KafkaSettings, topic: str, values: list[bytes], per_second: int) -> None:
    producer = Producer(kafka)
    results = []
    for n, value in enumerate(values):
        results.append(producer.send(topic, value, key=str(n).encode()))
        time.sleep(1 / per_second)
    producer.flush()
    for r in results:
        r.get()
    producer.close()


def expected_alert_ids(values: list[bytes]) -> set[str]:
    engine = Engine.from_paths()
    now = datetime.now(UTC)
    return {a.alert_id for v in values for a in engine.detect(decode_article(v), detected_at=now)}


def alert_ids(kafka: KafkaSettings, topic: str, expect: set[str], timeout: float) -> list[str]:
    """Alert ids on ``topic`` (duplicates kept), read until all of ``expect`` came or timeout."""
    consumer = Consumer(kafka, [topic], None)
    ids: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while not expect <= set(ids) and time.monotonic() < deadline:
            ids.extend(
                Alert.model_validate_json(r.value or b"").alert_id
                for r in consumer.poll(timeout_ms=200)
            )
    finally:
        consumer.close()
    return ids


def test_kill_9_mid_stream_then_restart_loses_no_alert(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, tmp_path: Path
) -> None:
    values = stream(2_000)
    expected = expected_alert_ids(values)
    assert len(expected) >= 450
    port = free_port()
    group = f"g-{uuid.uuid4().hex[:8]}"
    env = service_env(kafka_settings, topic_names, group=group, metrics_port=port)
    proc = start("detector", env, tmp_path / "detector-1.log")
    # Publish at a steady pace in the background, so the kill lands mid-stream by construction.
    publisher = threading.Thread(
        target=produce_paced, args=(kafka_settings, topic_names.articles, values, 1_000)
    )
    try:
        wait_for(lambda: readyz(port) == 200, 60, "detector ready")
        publisher.start()
        read_topic(kafka_settings, topic_names.alerts, expect=50, timeout=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    done_at_kill = sum(committed_offsets(kafka_settings, group).values())
    publisher.join(timeout=60)
    assert done_at_kill < len(values), "the detector finished before it was killed"
    proc = start("detector", env, tmp_path / "detector-2.log")
    try:
        got = alert_ids(kafka_settings, topic_names.alerts, expect=expected, timeout=120)
    finally:
        assert terminate(proc) == 0
    assert set(got) == expected, f"missing {len(expected - set(got))} alerts"
    # Duplicates are allowed only as re-sends of the same alert id (same article, same rule).
    assert len(got) >= len(expected)


def test_sigterm_under_load_finishes_the_batch_commits_and_exits_0(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, tmp_path: Path
) -> None:
    values = stream(2_000)
    group = f"g-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = service_env(kafka_settings, topic_names, group=group, metrics_port=port)
    proc = start("detector", env, tmp_path / "detector.log")
    try:
        wait_for(lambda: readyz(port) == 200, 60, "detector ready")
        produce(kafka_settings, topic_names.articles, values)
        read_topic(kafka_settings, topic_names.alerts, expect=20, timeout=60)
    finally:
        assert terminate(proc, grace=20) == 0
    # Every article below the committed offsets has its alerts on the topic.
    committed = {p: o for (t, p), o in committed_offsets(kafka_settings, group).items()}
    assert sum(committed.values()) > 0
    articles = read_topic(kafka_settings, topic_names.articles, expect=len(values), timeout=30)
    done = [r.value or b"" for r in articles if r.offset < committed[r.partition]]
    must_have = expected_alert_ids(done)
    got = set(alert_ids(kafka_settings, topic_names.alerts, expect=must_have, timeout=30))
    assert must_have <= got


def test_broker_outage_makes_detector_unready_without_spinning_then_it_recovers(
    tmp_path: Path,
) -> None:
    broker_port = free_port()
    broker = EmbeddedBroker("127.0.0.1", broker_port, log_file=tmp_path / "broker.log")
    broker.start()
    kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers, topic_partitions=1)
    suffix = uuid.uuid4().hex[:8]
    topics = TopicSettings(
        articles=f"a-{suffix}",
        articles_dlq=f"ad-{suffix}",
        alerts=f"al-{suffix}",
        alerts_dlq=f"ald-{suffix}",
        notifier_state=f"ns-{suffix}",
    )
    all_topics = [topics.articles, topics.articles_dlq, topics.alerts, topics.alerts_dlq]
    ensure_topics(kafka, all_topics)
    port = free_port()
    env = service_env(kafka, topics, group=f"g-{suffix}", metrics_port=port)
    proc = start("detector", env, tmp_path / "detector.log")
    try:
        wait_for(lambda: readyz(port) == 200, 60, "detector ready")
        broker.stop()
        wait_for(lambda: readyz(port) == 503, 45, "detector to report not-ready")
        before = cpu_seconds(proc.pid)
        time.sleep(5)
        used = cpu_seconds(proc.pid) - before
        assert proc.poll() is None, "detector exited while the broker was down"
        assert used < 1.5, f"detector used {used:.2f}s CPU in 5s while the broker was down"
        broker.start()
        ensure_topics(kafka, all_topics)
        wait_for(lambda: readyz(port) == 200, 90, "detector ready again")
        produce(kafka, topics.articles, [article_json(1, POSITIVES[0])])
        assert len(read_topic(kafka, topics.alerts, expect=1, timeout=60)) == 1
    finally:
        try:
            assert terminate(proc) == 0
        finally:
            broker.stop()
