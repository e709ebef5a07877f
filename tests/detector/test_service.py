"""The detector's loop on the in-memory broker: bursts, acks before commits, rewinds, readiness.

The same loop runs on the real broker in test_service_kafka.py; here the faults are injected
exactly where they hurt (a send raising on the first alert of a batch, an acknowledgement that
never comes) and the broker's event log shows the order of acknowledgements and commits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence

import pytest
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from policywatch.detector import DetectorService
from policywatch.engine import Engine
from policywatch.kafka.memory import Acked, Committed, MemoryBroker, MemoryConsumer
from policywatch.kafka.protocols import OffsetReset, RebalanceCallback
from policywatch.models import Alert
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, Settings
from tools.harness import running

from .helpers import NEUTRAL, POSITIVE, article, make_settings

TP = tuple[str, int]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_paths()


def _settings(*, linger_ms: int = 5, commit_interval_ms: int = 0) -> Settings:
    return make_settings(
        KafkaSettings(linger_ms=linger_ms), group="det", commit_interval_ms=commit_interval_ms
    )


def _wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _publish(broker: MemoryBroker, values: dict[int, list[bytes]]) -> dict[TP, int]:
    """Publish ``values`` per partition; returns the end offset of each."""
    for partition, vals in values.items():
        for value in vals:
            broker.produce("articles", value, partition=partition)
    return {("articles", p): len(vals) for p, vals in values.items()}


def _alerted(broker: MemoryBroker) -> list[str]:
    return [Alert.model_validate_json(r.value or b"").article.id for r in broker.records("alerts")]


def _origins(broker: MemoryBroker) -> dict[tuple[str, int, int], tuple[int, int]]:
    """Per produced record (topic, partition, offset), the article record it came from."""
    by_id = {
        json.loads(r.value or b"")["id"]: (r.partition, r.offset)
        for r in broker.records("articles")
        if r.value and r.value.startswith(b"{")
    }
    out: dict[tuple[str, int, int], tuple[int, int]] = {}
    for r in broker.records("alerts"):
        alert = Alert.model_validate_json(r.value or b"")
        out[(r.topic, r.partition, r.offset)] = by_id[alert.article.id]
    for r in broker.records("articles.dlq"):
        partition = int(r.header("pw-original-partition") or b"")
        out[(r.topic, r.partition, r.offset)] = (
            partition,
            int(r.header("pw-original-offset") or b""),
        )
    return out


def _assert_commits_follow_acks(broker: MemoryBroker) -> None:
    """Every commit comes after the acknowledgement of every message produced for the records
    below the committed offsets."""
    origins = _origins(broker)
    acked: set[tuple[str, int, int]] = set()
    commits = 0
    for event in broker.events:
        if isinstance(event, Acked):
            acked.add((event.topic, event.partition, event.offset))
        elif isinstance(event, Committed):
            commits += 1
            for (_, partition), next_offset in event.offsets.items():
                owed = {
                    o for o, (p, off) in origins.items() if p == partition and off < next_offset
                }
                assert owed <= acked, f"commit {event.offsets} before the acks of {owed - acked}"
    assert commits > 0


def test_alerts_and_dead_letters_are_committed_only_after_the_broker_acknowledged_them(
    engine: Engine,
) -> None:
    broker = MemoryBroker(partitions=2, delayed_acks=True)
    metrics = Metrics.create(CollectorRegistry())
    service = DetectorService(_settings(), engine, metrics, broker)
    ends = _publish(
        broker,
        {
            0: [article(0, POSITIVE), b"not json", article(2, NEUTRAL)],
            1: [article(10, POSITIVE), b"", article(12, POSITIVE)],
        },
    )
    with running(service):
        assert _wait_until(lambda: broker.committed("det") == ends)
    assert sorted(_alerted(broker)) == ["art-0", "art-10", "art-12"]
    reasons = sorted(
        (r.header("pw-dlq-reason") or b"").decode() for r in broker.records("articles.dlq")
    )
    assert reasons == ["empty", "invalid_json"]
    _assert_commits_follow_acks(broker)
    assert (
        metrics.registry.get_sample_value(
            "policywatch_messages_consumed_total", {"service": "detector"}
        )
        == 6.0
    )


def test_a_send_failing_on_the_first_alert_of_a_batch_rewinds_every_partition_of_it(
    engine: Engine,
) -> None:
    """linger_ms 0 sends each alert at once, so the send of partition 0's first alert raises
    before partition 1's records are reached; poll() had already moved partition 1 past them.
    Only a rewind of every partition of the batch gets them detected."""
    broker = MemoryBroker(partitions=2)
    service = DetectorService(
        _settings(linger_ms=0), engine, Metrics.create(CollectorRegistry()), broker
    )
    ends = _publish(
        broker,
        {
            0: [article(n, POSITIVE if n % 2 == 0 else NEUTRAL) for n in range(6)],
            1: [article(n, POSITIVE if n % 2 == 0 else NEUTRAL) for n in range(10, 16)],
        },
    )
    broker.fail_send()
    with capture_logs() as logs, running(service):
        assert _wait_until(lambda: broker.committed("det") == ends)
    assert broker.faults_pending == 0
    assert [e["event"] for e in logs if e["event"] == "send_failed"] == ["send_failed"]
    expected = {f"art-{n}" for n in (0, 2, 4, 10, 12, 14)}
    assert set(_alerted(broker)) == expected
    _assert_commits_follow_acks(broker)


def test_an_acknowledgement_that_fails_rewinds_and_the_commit_waits_for_the_redo(
    engine: Engine,
) -> None:
    broker = MemoryBroker(partitions=1, delayed_acks=True)
    service = DetectorService(_settings(), engine, Metrics.create(CollectorRegistry()), broker)
    ends = _publish(broker, {0: [article(n, POSITIVE) for n in range(4)]})
    broker.fail_ack(after=1)  # the second alert is never acknowledged
    with capture_logs() as logs, running(service):
        assert _wait_until(lambda: broker.committed("det") == ends)
    assert "batch_produce_failed" in [e["event"] for e in logs]
    alerted = _alerted(broker)
    assert set(alerted) == {f"art-{n}" for n in range(4)}
    assert alerted.count("art-1") == 1  # the lost one, redone; the others may come twice
    _assert_commits_follow_acks(broker)


def test_alerts_produced_counts_only_what_the_broker_acknowledged(engine: Engine) -> None:
    broker = MemoryBroker(partitions=1, delayed_acks=True)
    registry = CollectorRegistry()
    service = DetectorService(_settings(), engine, Metrics.create(registry), broker)
    ends = _publish(broker, {0: [article(n, POSITIVE) for n in range(4)]})
    broker.fail_ack(after=1)  # the second alert is lost once, then redone
    with running(service):
        assert _wait_until(lambda: broker.committed("det") == ends)
    produced = sum(
        s.value
        for m in registry.collect()
        if m.name == "policywatch_alerts_produced"
        for s in m.samples
        if s.name == "policywatch_alerts_produced_total"
    )
    assert produced == len(broker.records("alerts"))


def test_a_new_group_with_auto_offset_reset_latest_starts_at_the_end(engine: Engine) -> None:
    broker = MemoryBroker(partitions=1)
    base = _settings()
    settings = base.model_copy(
        update={"detector": base.detector.model_copy(update={"auto_offset_reset": "latest"})}
    )
    _publish(broker, {0: [article(1, POSITIVE)]})
    service = DetectorService(settings, engine, Metrics.create(CollectorRegistry()), broker)
    with running(service):
        assert _wait_until(lambda: broker.committed("det") == {} and service.readiness()[0])
        broker.produce("articles", article(2, POSITIVE), partition=0)
        assert _wait_until(lambda: broker.committed("det") == {("articles", 0): 2})
    assert _alerted(broker) == ["art-2"]


def test_a_long_commit_interval_holds_the_commit_until_stop(engine: Engine) -> None:
    broker = MemoryBroker()
    service = DetectorService(
        _settings(commit_interval_ms=3_600_000), engine, Metrics.create(CollectorRegistry()), broker
    )
    ends = _publish(broker, {0: [article(n, POSITIVE) for n in range(3)]})
    with running(service):
        assert _wait_until(lambda: len(broker.records("alerts")) == 3)
        assert broker.committed("det") == {}  # an hour has not passed
    assert broker.committed("det") == ends
    _assert_commits_follow_acks(broker)


def test_readiness_follows_the_connection_and_the_assignment(engine: Engine) -> None:
    broker = MemoryBroker()
    metrics = Metrics.create(CollectorRegistry())
    service = DetectorService(_settings(), engine, metrics, broker)

    def ready_gauge() -> float | None:
        return metrics.registry.get_sample_value("policywatch_ready", {"service": "detector"})

    assert service.readiness() == (False, "not connected to Kafka")
    with running(service):
        assert _wait_until(lambda: service.readiness()[0])
        assert service.readiness() == (True, f"ready: 1 partitions, {engine.rule_count} rules")
        assert _wait_until(lambda: ready_gauge() == 1.0)
        broker.up = False  # poll() returns nothing and the client reports no connection
        assert _wait_until(lambda: service.readiness() == (False, "not connected to Kafka"))
        assert _wait_until(lambda: ready_gauge() == 0.0)
        broker.up = True
        assert _wait_until(lambda: service.readiness()[0])
    assert ready_gauge() == 0.0
    assert service.readiness() == (False, "not connected to Kafka")


def test_a_detector_started_while_kafka_is_down_backs_off_then_works(engine: Engine) -> None:
    broker = MemoryBroker()
    broker.up = False
    service = DetectorService(_settings(), engine, Metrics.create(CollectorRegistry()), broker)
    with capture_logs() as logs, running(service):
        assert _wait_until(lambda: any(e["event"] == "kafka_unavailable" for e in logs))
        assert not service.readiness()[0]
        broker.up = True
        broker.produce("articles", article(1, POSITIVE))
        assert _wait_until(lambda: broker.committed("det") == {("articles", 0): 1})
    assert _alerted(broker) == ["art-1"]


class _Recording(MemoryBroker):
    """Remembers the consumers it built."""

    def __init__(self) -> None:
        super().__init__()
        self.consumers: list[MemoryConsumer] = []

    def consumer(
        self,
        topics: Sequence[str],
        group_id: str | None,
        *,
        on_assigned: RebalanceCallback | None = None,
        on_revoked: RebalanceCallback | None = None,
        auto_offset_reset: OffsetReset = "earliest",
    ) -> MemoryConsumer:
        made = super().consumer(
            topics,
            group_id,
            on_assigned=on_assigned,
            on_revoked=on_revoked,
            auto_offset_reset=auto_offset_reset,
        )
        self.consumers.append(made)
        return made


def test_stop_commits_then_closes_the_consumer(engine: Engine) -> None:
    broker = _Recording()
    service = DetectorService(
        _settings(commit_interval_ms=3_600_000), engine, Metrics.create(CollectorRegistry()), broker
    )
    ends = _publish(broker, {0: [article(n, NEUTRAL) for n in range(3)]})
    with running(service):
        assert _wait_until(
            lambda: bool(broker.consumers) and broker.consumers[0].lag() == {("articles", 0): 0}
        )
        assert not broker.consumers[0].closed
    assert broker.committed("det") == ends
    assert [c.closed for c in broker.consumers] == [True]


def test_revoked_uncommitted_work_is_redone_by_the_next_owner_and_not_taken_for_duplicates(
    engine: Engine,
) -> None:
    broker = _Recording()
    service = DetectorService(
        _settings(commit_interval_ms=3_600_000), engine, Metrics.create(CollectorRegistry()), broker
    )
    ends = _publish(broker, {0: [article(n, POSITIVE) for n in range(3)]})
    with running(service):
        assert _wait_until(lambda: len(broker.records("alerts")) == 3)
        broker.consumers[0].revoke()  # a rebalance; the same member gets the partition back
        assert _wait_until(lambda: len(broker.records("alerts")) == 6)
    assert sorted(_alerted(broker)) == ["art-0", "art-0", "art-1", "art-1", "art-2", "art-2"]
    assert broker.records("articles.dlq") == []
    assert broker.committed("det") == ends
