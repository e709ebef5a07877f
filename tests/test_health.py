"""What the consumer-group services share: backoff, readiness and lag (on the memory fakes)."""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from policywatch.errors import KafkaAdapterError
from policywatch.kafka.memory import MemoryBroker
from policywatch.observability.health import LagReporter, readiness, run_with_backoff
from policywatch.observability.metrics import Metrics


def test_readiness_names_the_first_thing_missing() -> None:
    assert readiness(connected=False, partitions=3, detail="x") == (
        False,
        "not connected to Kafka",
    )
    assert readiness(connected=True, partitions=0, detail="x") == (
        False,
        "no partitions assigned",
    )
    assert readiness(connected=True, partitions=2, detail="x", problem="replaying") == (
        False,
        "replaying",
    )
    assert readiness(connected=True, partitions=2, detail="5 rules") == (
        True,
        "ready: 2 partitions, 5 rules",
    )


def test_kafka_errors_mark_the_service_unready_and_are_retried_until_a_step_returns() -> None:
    metrics = Metrics.create(CollectorRegistry())
    metrics.ready.labels("detector").set(1)
    stop = threading.Event()
    calls: list[str] = []

    def step() -> None:
        calls.append("step")
        if calls.count("step") < 3:
            raise KafkaAdapterError("no broker", retriable=True)
        stop.set()

    with capture_logs() as logs:
        run_with_backoff(
            stop,
            step,
            service="detector",
            metrics=metrics,
            on_unavailable=lambda: calls.append("down"),
            initial=0.001,
        )
    assert calls == ["step", "down", "step", "down", "step"]
    assert [e["retry_in"] for e in logs if e["event"] == "kafka_unavailable"] == [0.001, 0.002]
    assert metrics.registry.get_sample_value("policywatch_ready", {"service": "detector"}) == 0.0


def test_other_errors_are_not_retried() -> None:
    stop = threading.Event()

    def step() -> None:
        raise ValueError("a bug")

    metrics = Metrics.create(CollectorRegistry())
    try:
        run_with_backoff(stop, step, service="detector", metrics=metrics)
    except ValueError as exc:
        assert str(exc) == "a bug"
    else:
        raise AssertionError("the bug was swallowed")


def test_lag_is_reported_per_partition_at_most_once_an_interval() -> None:
    broker = MemoryBroker(partitions=2)
    for n in range(10):
        broker.produce("articles", b"x", partition=n % 2)
    consumer = broker.consumer(["articles"], "g")
    assert len(consumer.poll(timeout_ms=0, max_records=3)) == 3  # 3 of partition 0
    now = [100.0]
    metrics = Metrics.create(CollectorRegistry())
    reporter = LagReporter(
        "detector", metrics, interval=5.0, ask_broker=False, clock=lambda: now[0]
    )

    def lag(partition: int) -> float | None:
        return metrics.registry.get_sample_value(
            "policywatch_consumer_lag",
            {"service": "detector", "topic": "articles", "partition": str(partition)},
        )

    reporter.update(consumer)
    assert (lag(0), lag(1)) == (2.0, 5.0)
    consumer.poll(timeout_ms=0)
    now[0] += 4.9
    reporter.update(consumer)
    assert (lag(0), lag(1)) == (2.0, 5.0)  # not yet refreshed
    now[0] += 0.2
    reporter.update(consumer)
    assert (lag(0), lag(1)) == (0.0, 0.0)
