"""The detector against the real embedded broker."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest

from policywatch.detector import DetectorService
from policywatch.engine import Engine
from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, KafkaClients, Producer, SendResult, committed_offsets
from policywatch.models import Alert
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, TopicSettings
from tools.harness import produce, read_topic, running

from .helpers import NEUTRAL, POSITIVE, article, make_settings

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_paths()


def test_seed_article_gives_one_weapons_restriction_lifted_alert(
    kafka_settings: KafkaSettings,
    topic_names: TopicSettings,
    engine: Engine,
    seed_article_json: str,
) -> None:
    settings = make_settings(kafka_settings, topic_names)
    metrics = Metrics.create()
    service = DetectorService(settings, engine, metrics, KafkaClients(settings.kafka))
    with running(service):
        produce(kafka_settings, topic_names.articles, [seed_article_json.encode()])
        records = read_topic(kafka_settings, topic_names.alerts, expect=1)
    # The article also reports North Korean soldiers sent to Russia, a deployment in its own
    # right; the weapons alert is the one asserted on, and it must come exactly once.
    pairs = [(r, Alert.model_validate_json(r.value or b"")) for r in records]
    lifted = [(r, a) for r, a in pairs if a.event_type == "weapons_restriction_lifted"]
    assert len(lifted) == 1
    assert {a.event_type for _, a in pairs} <= {"weapons_restriction_lifted", "troop_deployment"}
    record, alert = lifted[0]
    assert alert.actor.code == "US"
    assert alert.target is not None and alert.target.code == "UA"
    assert "ATACMS" in alert.instruments
    assert record.key == alert.story_key.encode()
    body = json.loads(seed_article_json)["body"]
    ev = alert.evidence[-1]
    assert ev.field == "body"
    assert body[ev.start : ev.end] in ev.text
    assert "decided to permit Ukraine" in ev.text
    assert (
        metrics.registry.get_sample_value(
            "policywatch_alerts_produced_total",
            {
                "event_type": "weapons_restriction_lifted",
                "rule": alert.rule.id,
                "severity": alert.severity,
            },
        )
        == 1.0
    )


def test_malformed_messages_are_dead_lettered_and_the_stream_goes_on(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, engine: Engine
) -> None:
    settings = make_settings(kafka_settings, topic_names)
    metrics = Metrics.create()
    service = DetectorService(settings, engine, metrics, KafkaClients(settings.kafka))
    bad = [b"not json at all", b"\xff\xfe\x00", b'{"id": "x"}', b""]
    with running(service):
        produce(kafka_settings, topic_names.articles, [*bad, article(1, POSITIVE)])
        alerts = read_topic(kafka_settings, topic_names.alerts, expect=1)
        dead = read_topic(kafka_settings, topic_names.articles_dlq, expect=len(bad))
    assert len(alerts) == 1
    assert len(dead) == len(bad)
    reasons = sorted((r.header("pw-dlq-reason") or b"").decode() for r in dead)
    assert reasons == ["empty", "invalid_article", "invalid_json", "not_utf8"]
    for r in dead:
        assert r.header("pw-original-topic") == topic_names.articles.encode()
        assert r.header("pw-original-offset") is not None
        assert r.header("pw-dlq-error")
    assert sorted(r.value or b"" for r in dead) == sorted(bad)
    assert (
        metrics.registry.get_sample_value(
            "policywatch_messages_dead_lettered_total",
            {"service": "detector", "reason": "not_utf8"},
        )
        == 1.0
    )


def test_restart_resumes_from_committed_offsets_without_losing_alerts(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, engine: Engine
) -> None:
    group = f"det-{uuid.uuid4().hex[:8]}"
    settings = make_settings(kafka_settings, topic_names, group)
    first = [article(i, POSITIVE) for i in range(5)]
    second = [article(i, POSITIVE) for i in range(5, 10)]

    with running(DetectorService(settings, engine, Metrics.create(), KafkaClients(settings.kafka))):
        produce(kafka_settings, topic_names.articles, first)
        assert len(read_topic(kafka_settings, topic_names.alerts, expect=5)) == 5

    # Published while no detector runs: the next one must pick them up from the commits.
    produce(kafka_settings, topic_names.articles, second)
    metrics = Metrics.create()
    with running(DetectorService(settings, engine, metrics, KafkaClients(settings.kafka))):
        records = read_topic(kafka_settings, topic_names.alerts, expect=10)

    ids = {Alert.model_validate_json(r.value or b"").article.id for r in records}
    assert ids == {f"art-{i}" for i in range(10)}
    # The second detector started from committed offsets: it consumed only the new articles.
    assert (
        metrics.registry.get_sample_value(
            "policywatch_messages_consumed_total", {"service": "detector"}
        )
        == 5.0
    )
    assert len(records) == 10


@pytest.mark.parametrize("linger_ms", [0, 60_000], ids=["burst-per-alert", "burst-per-batch"])
def test_every_alert_and_dead_letter_of_a_batch_is_sent_whatever_the_bursts(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, engine: Engine, linger_ms: int
) -> None:
    """The loop hands alerts to the producer in bursts: at ``linger_ms`` 0 one after every
    alert, at 60 s one at the end of each polled batch. Neither may drop a message."""
    kafka = kafka_settings.model_copy(update={"linger_ms": linger_ms})
    settings = make_settings(kafka, topic_names)
    values = [article(i, POSITIVE if i % 2 == 0 else NEUTRAL) for i in range(40)]
    values[1::8] = [b"not json"] * len(values[1::8])
    with running(DetectorService(settings, engine, Metrics.create(), KafkaClients(settings.kafka))):
        produce(kafka_settings, topic_names.articles, values)
        alerts = read_topic(kafka_settings, topic_names.alerts, expect=20)
        dead = read_topic(kafka_settings, topic_names.articles_dlq, expect=5)
    ids = sorted(Alert.model_validate_json(r.value or b"").article.id for r in alerts)
    assert ids == sorted(f"art-{i}" for i in range(0, 40, 2))
    assert [r.value for r in dead] == [b"not json"] * 5


class _FailsOnce(Producer):
    """A real producer whose ``fail_at``-th send raises, as kafka-python does when its buffer
    stays full or metadata cannot be fetched in time."""

    def __init__(self, kafka: KafkaSettings, fail_at: int) -> None:
        super().__init__(kafka, linger_ms=0)
        self.calls = 0
        self.fail_at = fail_at

    def send(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> SendResult:
        self.calls += 1
        if self.calls == self.fail_at:
            raise KafkaAdapterError(f"produce to {topic} failed: injected", retriable=True)
        return super().send(topic, value, key=key, headers=headers)


class _FailingClients(KafkaClients):
    """Real clients whose producer's first send raises."""

    def __init__(self, kafka: KafkaSettings) -> None:
        super().__init__(kafka)
        self.made: _FailsOnce | None = None

    def producer(self, *, linger_ms: int | None = None) -> Producer:
        self.made = _FailsOnce(self.settings, fail_at=1)
        return self.made


def test_a_send_that_raises_redoes_the_work_since_the_last_commit(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, engine: Engine
) -> None:
    """The first alert's send raises mid-batch (``linger_ms`` 0 sends each alert at once), so
    the rest of the batch, other partitions' records included, was never processed: the
    detector goes back to its last commit for every partition of the batch and redoes it."""
    kafka = kafka_settings.model_copy(update={"linger_ms": 0})
    clients = _FailingClients(kafka)
    service = DetectorService(make_settings(kafka, topic_names), engine, Metrics.create(), clients)
    expected = {f"art-{i}" for i in range(0, 20, 2)}
    with running(service):
        produce(
            kafka_settings,
            topic_names.articles,
            [article(i, POSITIVE if i % 2 == 0 else NEUTRAL) for i in range(20)],
        )
        ids = _alerted_articles(kafka_settings, topic_names.alerts, expected, timeout=30)
    assert clients.made is not None and clients.made.calls > 10  # failed, and redone
    assert ids == expected


def _committed_total(kafka: KafkaSettings, group: str) -> int:
    return sum(committed_offsets(kafka, group).values())


@contextmanager
def _five_alerts_produced(
    kafka: KafkaSettings, topics: TopicSettings, engine: Engine, group: str, interval_ms: int
) -> Iterator[None]:
    """A detector of ``group`` runs for the block, after turning 5 articles into 5 alerts."""
    settings = make_settings(kafka, topics, group, commit_interval_ms=interval_ms)
    with running(DetectorService(settings, engine, Metrics.create(), KafkaClients(settings.kafka))):
        produce(kafka, topics.articles, [article(i, POSITIVE) for i in range(5)])
        assert len(read_topic(kafka, topics.alerts, expect=5)) == 5
        yield


def test_an_idle_detector_commits_its_work_within_the_commit_interval(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, engine: Engine
) -> None:
    group = f"det-{uuid.uuid4().hex[:8]}"
    with _five_alerts_produced(kafka_settings, topic_names, engine, group, 200):
        # No more articles arrive: the loop's empty polls must still commit the pending work.
        deadline = time.monotonic() + 15
        while _committed_total(kafka_settings, group) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _committed_total(kafka_settings, group) == 5


def test_stopping_commits_work_a_long_commit_interval_still_holds(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, engine: Engine
) -> None:
    group = f"det-{uuid.uuid4().hex[:8]}"
    with _five_alerts_produced(kafka_settings, topic_names, engine, group, 3_600_000):
        assert _committed_total(kafka_settings, group) == 0  # an hour has not passed
    assert _committed_total(kafka_settings, group) == 5


def test_a_replica_joining_mid_stream_loses_no_alert(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, engine: Engine
) -> None:
    """The rebalance revokes partitions with uncommitted work; their next owner redoes it."""
    group = f"det-{uuid.uuid4().hex[:8]}"
    settings = make_settings(kafka_settings, topic_names, group, commit_interval_ms=1_000)
    values = [article(i, POSITIVE if i % 3 == 0 else NEUTRAL) for i in range(600)]
    expected = {f"art-{i}" for i in range(0, 600, 3)}
    with running(DetectorService(settings, engine, Metrics.create(), KafkaClients(settings.kafka))):
        produce(kafka_settings, topic_names.articles, values[:300])
        read_topic(kafka_settings, topic_names.alerts, expect=20)
        with running(
            DetectorService(settings, engine, Metrics.create(), KafkaClients(settings.kafka))
        ):
            produce(kafka_settings, topic_names.articles, values[300:])
            ids = _alerted_articles(kafka_settings, topic_names.alerts, expected, timeout=90)
    assert ids == expected  # duplicates (same alert id) are allowed, losses and strays are not


def _alerted_articles(
    kafka: KafkaSettings, topic: str, expected: set[str], timeout: float
) -> set[str]:
    consumer = Consumer(kafka, [topic], None)
    ids: set[str] = set()
    deadline = time.monotonic() + timeout
    try:
        while not expected <= ids and time.monotonic() < deadline:
            ids.update(
                Alert.model_validate_json(r.value or b"").article.id
                for r in consumer.poll(timeout_ms=200)
            )
    finally:
        consumer.close()
    return ids


def test_lag_counts_the_records_not_yet_consumed_with_or_without_asking_the_broker(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    """The detector reads lag from its fetches' high-water marks, without a round trip; the
    notifier also asks the broker (its paused partitions are not fetched). Records produced in
    one flush form one batch per partition: Tansu's ListOffsets then reports the end of the
    first batch, so the broker's answer alone would say a partition of 13 records holds 1."""
    total = 30
    produce(kafka_settings, topic_names.articles, [article(i, NEUTRAL) for i in range(total)])
    consumer = Consumer(kafka_settings, [topic_names.articles], None)
    try:
        consumed = 0
        deadline = time.monotonic() + 30
        # Until every partition has been fetched once, its high-water mark is unknown.
        while len(consumer.lag(ask_broker=False)) < kafka_settings.topic_partitions:
            assert time.monotonic() < deadline, "not every partition was fetched"
            consumed += len(consumer.poll(timeout_ms=200, max_records=1))
        assert total - consumed > 0
        assert sum(consumer.lag(ask_broker=False).values()) == total - consumed
        assert sum(consumer.lag().values()) == total - consumed
    finally:
        consumer.close()
