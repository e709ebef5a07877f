"""What every consumer-group service shares: the reconnect backoff, readiness and lag.

:func:`run_with_backoff` keeps a service's connect-and-loop step running through Kafka
outages; :func:`readiness` is the common part of ``/readyz``; :class:`LagReporter` sets the
``policywatch_consumer_lag`` gauge from a consumer at most every few seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

from policywatch.errors import KafkaAdapterError
from policywatch.kafka.protocols import ConsumerProtocol
from policywatch.observability.metrics import Metrics


def run_with_backoff(
    stop: threading.Event,
    step: Callable[[], None],
    *,
    service: str,
    metrics: Metrics,
    on_unavailable: Callable[[], None] = lambda: None,
    initial: float = 0.5,
    maximum: float = 10.0,
) -> None:
    """Call ``step()`` until ``stop`` is set. A :class:`KafkaAdapterError` out of it marks the
    service not ready (``on_unavailable`` and the ready gauge), is logged as
    ``kafka_unavailable``, and ``step`` is called again after a backoff doubling from
    ``initial`` to ``maximum`` seconds; a ``step`` that returns resets the backoff. Any other
    exception propagates."""
    log = structlog.get_logger(f"policywatch.{service}")
    backoff = initial
    while not stop.is_set():
        try:
            step()
            backoff = initial
        except KafkaAdapterError as exc:
            on_unavailable()
            metrics.ready.labels(service).set(0)
            log.warning("kafka_unavailable", error=str(exc), retry_in=backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, maximum)


def readiness(
    *, connected: bool, partitions: int, detail: str, problem: str | None = None
) -> tuple[bool, str]:
    """``/readyz`` of a consumer-group service: connected, some partitions assigned, and no
    service-specific ``problem``; ``detail`` completes the ready message."""
    if not connected:
        return False, "not connected to Kafka"
    if not partitions:
        return False, "no partitions assigned"
    if problem is not None:
        return False, problem
    return True, f"ready: {partitions} partitions, {detail}"


class LagReporter:
    """Sets ``consumer_lag{service, topic, partition}`` from :meth:`ConsumerProtocol.lag`.

    ``ask_broker=False`` reads the last fetches' high-water marks (no round trip): right for a
    consumer that never pauses, whose fetches keep them fresh.
    """

    def __init__(
        self,
        service: str,
        metrics: Metrics,
        *,
        interval: float = 5.0,
        ask_broker: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._service = service
        self._gauge = metrics.consumer_lag
        self._interval = interval
        self._ask_broker = ask_broker
        self._clock = clock
        self._last: float | None = None

    def update(self, consumer: ConsumerProtocol) -> None:
        """Refresh the gauge if ``interval`` passed since the last refresh."""
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            return
        self._last = now
        for (topic, partition), lag in consumer.lag(ask_broker=self._ask_broker).items():
            self._gauge.labels(self._service, topic, str(partition)).set(lag)
