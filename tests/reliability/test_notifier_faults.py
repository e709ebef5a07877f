"""Faults the notifier must survive, with the notifier as a real process and real HTTP receivers.

kill -9 and SIGTERM mid-stream, the broker going away, and receivers that are down, slow or
rate-limiting. Every check counts unique ``webhook-id``s at loopback receivers: nothing may be
lost, and a notification seen twice must carry the same id.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from policywatch.broker import EmbeddedBroker, free_port
from policywatch.kafka import Consumer, Producer, committed_offsets, ensure_topics
from policywatch.models import Alert
from policywatch.notifier.notification import Notification
from policywatch.notifier.webhook_listener import Delivery, WebhookListener, generate_secret
from policywatch.settings import KafkaSettings, TopicSettings
from tools.harness import (
    cpu_seconds,
    metric_sum,
    read_topic,
    readyz,
    rss_bytes,
    scrape,
    start,
    wait_for,
)

from ..notifier.helpers import encoded, make_alert, today
from .procs import service_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SECRET = generate_secret()


class SlowListener(WebhookListener):
    """A webhook receiver that takes ``delay`` seconds to answer requests arriving before
    ``slow_until`` (monotonic), and answers at once afterwards."""

    def __init__(self, secret: str, *, delay: float, slow_until: float = float("inf")) -> None:
        super().__init__(secret)
        self.delay = delay
        self.slow_until = slow_until
        self.answered_slowly = 0

    def _receive(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        if time.monotonic() < self.slow_until:
            time.sleep(self.delay)
            with self._cond:
                self.answered_slowly += 1
        return super()._receive(headers, body)


def code(i: int) -> str:
    """A distinct two-letter actor code per story (``AA``, ``AB``, ...)."""
    return chr(65 + i // 26) + chr(65 + i % 26)


def story_alerts(stories: int, articles: range) -> list[Alert]:
    """Articles ``articles`` of each of ``stories`` events, interleaved across stories."""
    return [
        today(make_alert(n, actor=(code(s), f"Country {code(s)}"), source=f"Wire {n}"))
        for n in articles
        for s in range(stories)
    ]


def publish(kafka: KafkaSettings, topic: str, alerts: list[Alert]) -> None:
    producer = Producer(kafka)
    results = [producer.send(topic, encoded(a), key=a.story_key.encode()) for a in alerts]
    producer.flush()
    for r in results:
        r.get()
    producer.close()


def notifier_section(group: str, port: int, url: str, **extra: Any) -> dict[str, Any]:
    section: dict[str, Any] = {
        "group_id": group,
        "metrics_port": port,
        "metrics_host": "127.0.0.1",
        "receivers": [{"name": "ops", "webhook": {"url": url, "secret": SECRET}}],
        "route": {"receiver": "ops", "group_wait": 0, "group_interval": "1s"},
        "delivery": {"retry_schedule": ["200ms", "500ms", "1s", *["2s"] * 45]},
    }
    section.update(extra)
    return section


def check_delivered(deliveries: list[Delivery], alerts: list[Alert]) -> dict[str, int]:
    """Every alert's article reached the receiver in its story; no story was notified twice
    under different ids. Returns counts for the test's report."""
    expected: dict[str, set[str]] = defaultdict(set)
    for a in alerts:
        expected[a.actor.code].add(a.article.id)
    by_id: dict[str, list[Notification]] = defaultdict(list)
    for d in deliveries:
        note = d.notification()
        assert d.id == note.id
        by_id[note.id].append(note)
    seen: dict[str, set[str]] = defaultdict(set)
    story_ids: dict[str, set[str]] = defaultdict(set)
    corroboration: dict[str, dict[int, int]] = defaultdict(dict)
    for notes in by_id.values():
        for note in notes:
            actor = note.alert.actor.code
            seen[actor] |= {s.id for s in note.sources}
            story_ids[actor].add(note.story_id)
            # A re-send after a crash may carry more sources than the first send: same id.
            prev = corroboration[actor].get(note.sequence, 0)
            corroboration[actor][note.sequence] = max(prev, note.corroboration)
    missing = {k: v - seen[k] for k, v in expected.items() if v - seen[k]}
    assert not missing, f"{len(missing)} stories miss articles, e.g. {next(iter(missing.items()))}"
    assert set(seen) == set(expected)
    for actor, ids in story_ids.items():
        assert len(ids) == 1, f"story {actor} was opened again under a new id: {ids}"
        by_seq = corroboration[actor]
        assert sorted(by_seq) == list(range(1, len(by_seq) + 1)), (actor, by_seq)
        counts = [by_seq[s] for s in sorted(by_seq)]
        # An update always adds an article: a story re-notified with nothing new would repeat.
        assert counts == sorted(set(counts)), f"story {actor} re-notified: {counts}"
    return {
        "deliveries": len(deliveries),
        "unique_ids": len(by_id),
        "duplicates": len(deliveries) - len(by_id),
    }


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def test_kill_9_mid_stream_then_restart_delivers_everything_with_stable_ids(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, tmp_path: Path
) -> None:
    first = story_alerts(100, range(1, 4))  # 100 stories, 3 articles each
    later = story_alerts(100, range(4, 5))  # a 4th article each, published while it is dead
    port = free_port()
    with SlowListener(SECRET, delay=0.02) as hook:
        section = notifier_section(f"n-{uuid.uuid4().hex[:8]}", port, hook.url)
        env = service_env(kafka_settings, topic_names, group="-", metrics_port=0, notifier=section)
        proc = start("notifier", env, tmp_path / "notifier-1.log")
        try:
            wait_for(lambda: readyz(port) == 200, 60, "notifier ready")
            publish(kafka_settings, topic_names.alerts, first)
            hook.wait_for(15, timeout=60)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        at_kill = len(hook.deliveries)
        assert at_kill < 100, "everything was delivered before the kill: not mid-stream"
        publish(kafka_settings, topic_names.alerts, later)
        proc = start("notifier", env, tmp_path / "notifier-2.log")
        try:
            wait_for(
                lambda: _covered(hook.deliveries, first + later), 120, "every article notified"
            )
            time.sleep(2.0)  # a stray re-notification would come within group_interval
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        report = check_delivered(list(hook.deliveries), first + later)
    print(f"kill -9 after {at_kill} deliveries; then {report}")


def _covered(deliveries: list[Delivery], alerts: list[Alert]) -> bool:
    seen = {s.id for d in list(deliveries) for s in d.notification().sources}
    return {a.article.id for a in alerts} <= seen


def test_sigterm_under_load_commits_only_delivered_work_and_exits_0(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, tmp_path: Path
) -> None:
    alerts = story_alerts(100, range(1, 4))
    group = f"n-{uuid.uuid4().hex[:8]}"
    port = free_port()
    with SlowListener(SECRET, delay=0.02) as hook:
        section = notifier_section(group, port, hook.url)
        env = service_env(kafka_settings, topic_names, group="-", metrics_port=0, notifier=section)
        proc = start("notifier", env, tmp_path / "notifier-1.log")
        try:
            wait_for(lambda: readyz(port) == 200, 60, "notifier ready")
            publish(kafka_settings, topic_names.alerts, alerts)
            hook.wait_for(20, timeout=60)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0  # the Kubernetes default grace period
        finally:
            stop_process(proc)
        before_restart = list(hook.deliveries)
        assert len(before_restart) < 100, "everything was delivered before SIGTERM"
        # Every alert below the committed offsets was delivered before the process exited.
        committed = {p: o for (t, p), o in committed_offsets(kafka_settings, group).items()}
        assert sum(committed.values()) > 0, "nothing was committed on SIGTERM"
        records = read_topic(kafka_settings, topic_names.alerts, expect=len(alerts), timeout=30)
        done = [
            Alert.model_validate_json(r.value or b"")
            for r in records
            if r.offset < committed.get(r.partition, 0)
        ]
        assert done
        delivered = {s.id for d in before_restart for s in d.notification().sources}
        assert {a.article.id for a in done} <= delivered
        # The rest is delivered after a restart, with the same ids for anything sent twice.
        proc = start("notifier", env, tmp_path / "notifier-2.log")
        try:
            wait_for(lambda: _covered(hook.deliveries, alerts), 120, "every article notified")
            time.sleep(2.0)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        report = check_delivered(list(hook.deliveries), alerts)
    print(f"SIGTERM after {len(before_restart)} deliveries, {len(done)} alerts committed; {report}")


def test_broker_outage_makes_notifier_unready_without_spinning_then_it_recovers(
    tmp_path: Path,
) -> None:
    broker = EmbeddedBroker("127.0.0.1", free_port(), log_file=tmp_path / "broker.log")
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

    def create_topics() -> None:
        ensure_topics(kafka, [topics.alerts, topics.alerts_dlq], compacted=[topics.notifier_state])

    create_topics()
    port = free_port()
    with WebhookListener(SECRET) as hook:
        section = notifier_section(f"n-{suffix}", port, hook.url)
        env = service_env(kafka, topics, group="-", metrics_port=0, notifier=section)
        proc = start("notifier", env, tmp_path / "notifier.log")
        try:
            wait_for(lambda: readyz(port) == 200, 60, "notifier ready")
            publish(kafka, topics.alerts, story_alerts(1, range(1, 2)))
            hook.wait_for(1, timeout=30)
            broker.stop()
            wait_for(lambda: readyz(port) == 503, 45, "notifier to report not-ready")
            before = cpu_seconds(proc.pid)
            time.sleep(5)
            used = cpu_seconds(proc.pid) - before
            assert proc.poll() is None, "notifier exited while the broker was down"
            assert used < 1.5, f"notifier used {used:.2f}s CPU in 5s while the broker was down"
            assert readyz(port) == 503
            broker.start()
            create_topics()  # the embedded broker keeps nothing across a restart
            wait_for(lambda: readyz(port) == 200, 90, "notifier ready again")
            publish(kafka, topics.alerts, story_alerts(2, range(1, 2))[1:])  # story "AB"
            got = hook.wait_for(2, timeout=60)
            assert [d.notification().alert.actor.code for d in got] == ["AA", "AB"]
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                assert proc.wait(timeout=30) == 0
            finally:
                stop_process(proc)
                broker.stop()


def test_down_slow_and_rate_limited_receivers_recover_without_delaying_a_healthy_one(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, tmp_path: Path
) -> None:
    """One notifier, four receivers on their own routes (by outlet): ``healthy``; ``down`` for
    20 s (connection refused); ``slow``, answering after 30 s; ``limited``, answering 429 with
    Retry-After first. Stories are per outlet, so each alert is one notification."""
    t0 = time.monotonic()
    down_port = free_port()
    down_url = f"http://127.0.0.1:{down_port}/hook"
    sources = {
        "healthy": [f"healthy-{i}" for i in range(10)],
        "down": [f"down-{i}" for i in range(3)],
        "slow": [f"slow-{i}" for i in range(2)],
        "limited": [f"limited-{i}" for i in range(3)],
    }
    overflow = [f"down-{i}" for i in range(100, 300)]
    port = free_port()
    with (
        WebhookListener(SECRET) as healthy,
        SlowListener(SECRET, delay=30.0, slow_until=t0 + 30) as slow,
        WebhookListener(SECRET) as limited,
    ):
        limited.respond_with(*[(429, {"Retry-After": "2"})] * 3)
        urls = {"healthy": healthy.url, "down": down_url, "slow": slow.url, "limited": limited.url}
        receivers: list[dict[str, Any]] = [
            {"name": name, "webhook": {"url": url, "secret": SECRET}} for name, url in urls.items()
        ]
        receivers[2]["delivery"] = {
            "timeout": 45,
            "retry_schedule": ["200ms", "500ms", "1s", *["2s"] * 45],
            "queue_size": 5,
        }
        section = notifier_section(
            f"n-{uuid.uuid4().hex[:8]}",
            port,
            healthy.url,
            receivers=receivers,
            route={
                "receiver": "healthy",
                "group_by": ["source"],
                "group_wait": 0,
                "routes": [
                    {"match_re": {"source": f"{name}-.*"}, "receiver": name}
                    for name in ("down", "slow", "limited")
                ],
            },
            delivery={
                "retry_schedule": ["200ms", "500ms", "1s", *["2s"] * 45],
                "timeout": 5,
                "queue_size": 5,
            },
        )
        env = service_env(
            kafka_settings,
            topic_names,
            group="-",
            metrics_port=0,
            notifier=section,
            extra={"PW_KAFKA__MAX_POLL_RECORDS": "20"},
        )
        log = tmp_path / "notifier.log"
        proc = start("notifier", env, log)
        down: WebhookListener | None = None
        rss: list[int] = []
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(0.5):
                rss.append(rss_bytes(proc.pid) // 1024)

        sampler = threading.Thread(target=sample, daemon=True)
        try:
            wait_for(lambda: readyz(port) == 200, 60, "notifier ready")
            sampler.start()
            phase_a = [_by_source(s) for names in sources.values() for s in names]
            publish(kafka_settings, topic_names.alerts, phase_a)
            got = healthy.wait_for(10, timeout=15)
            # Healthy got everything while "down" was refusing connections and "slow" had not
            # answered once: neither delayed it.
            assert len(got) == 10
            assert down is None and slow.answered_slowly == 0
            assert {d.notification().sources[0].source for d in got} == set(sources["healthy"])

            # 200 more for the dead receiver: they wait on the retry topic, not in the
            # notifier's memory, and no partition of alerts is paused for them.
            publish(kafka_settings, topic_names.alerts, [_by_source(s) for s in overflow])
            wait_for(
                lambda: (
                    metric_sum(
                        scrape(port), "policywatch_notifications_retried_total", receiver="down"
                    )
                    >= len(overflow)
                ),
                20,
                "notifications for the dead receiver parked on the retry topic",
                interval=0.5,
            )
            assert "partitions_paused" not in log.read_text()
            time.sleep(max(0.0, t0 + 20 - time.monotonic()))
            down = WebhookListener(SECRET, port=down_port)
            down.start()
            down.wait_for(len(sources["down"]) + len(overflow), timeout=90)
            slow.wait_for(2, timeout=max(1.0, t0 + 75 - time.monotonic()))
            limited.wait_for(3, timeout=10)
        finally:
            sampling.set()
            proc.send_signal(signal.SIGTERM)
            try:
                assert proc.wait(timeout=30) == 0
            finally:
                stop_process(proc)
                if down is not None:
                    down.stop()
        for name, hook, expected in (
            ("down", down, sources["down"] + overflow),
            ("slow", slow, sources["slow"]),
            ("limited", limited, sources["limited"]),
            ("healthy", healthy, sources["healthy"]),
        ):
            assert hook is not None
            got_sources = [d.notification().sources[0].source for d in hook.deliveries]
            assert sorted(set(got_sources)) == sorted(expected), name
            assert len(set(hook.ids())) == len(expected), name
        assert slow.answered_slowly >= 1
        assert limited.attempts >= 6  # three 429s, then three deliveries
    growth_mib = (max(rss) - rss[0]) / 1024
    print(f"notifier RSS {rss[0] / 1024:.0f} MiB at start, peak +{growth_mib:.1f} MiB")
    assert growth_mib < 64, f"notifier RSS grew by {growth_mib:.0f} MiB"


def _by_source(source: str) -> Alert:
    """One alert from outlet ``source`` (its own story when grouping by source)."""
    n = int(source.rsplit("-", 1)[1])
    actor = (code(n % 50), "Somewhere")  # spreads the stories over the partitions
    return today(make_alert(n, source=source, actor=actor, title=source)).model_copy(
        update={"alert_id": f"al-{source}"}
    )


def test_a_paused_partition_is_read_to_the_end_once_resumed(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    """Back-pressure pauses partitions; a resumed one must not stall (kafka-python 3.0 parks the
    records it had fetched for it, and handed them back only when its in-line slot was None)."""
    topic = topic_names.alerts
    producer = Producer(kafka_settings)
    results = [producer.send(topic, b"x", key=f"k{i}".encode()) for i in range(200)]
    producer.flush()
    sent: dict[int, int] = defaultdict(int)
    for r in results:
        sent[r.get()[0]] += 1
    producer.close()
    assert min(sent[0], sent[1]) > 30, sent  # both partitions hold plenty
    consumer = Consumer(kafka_settings, [topic], None, max_poll_records=10)
    got: dict[int, int] = defaultdict(int)
    try:
        first: int | None = None
        while first is None:
            for r in consumer.poll(timeout_ms=500):
                got[r.partition] += 1
                first = r.partition
        consumer.pause([(topic, first)])
        deadline = time.monotonic() + 20
        while got[1 - first] < sent[1 - first] and time.monotonic() < deadline:  # drain it
            for r in consumer.poll(timeout_ms=200):
                got[r.partition] += 1
        consumer.resume([(topic, first)])
        deadline = time.monotonic() + 10
        while got[first] < sent[first] and time.monotonic() < deadline:
            for r in consumer.poll(timeout_ms=200):
                got[r.partition] += 1
    finally:
        consumer.close()
    assert dict(got) == dict(sent)
