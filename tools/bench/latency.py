"""Section 5: latency from producing an article to its alert on ``alerts``, at a steady rate.

A detector process consumes fresh, empty topics; the benchmark then produces articles on a fixed
schedule (``rate`` per second, in 10 ms ticks) and a tail consumer on ``alerts`` notes when each
alert arrives. Two latencies per alerted article (its first alert), both on this host's clock:

* ``produce_to_alert``: article ``send()`` → alert received by the tail consumer. This is the
  headline; it includes the alert's acknowledgement and the tail consumer's own fetch wait, so it
  is an upper bound on "alert on the topic".
* ``produce_to_alert_sent``: article ``send()`` → the alert record's timestamp (the detector's
  ``send()``), i.e. without the alert's produce round trip and the observer.

The baseline of the same run, :func:`run_transport_latency`: the same steady load read by a bare
consumer with the detector's fetch settings, no detection. It is the first of the two hops an
alert makes (article in, alert out), so it shows how much of the headline is the transport's.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from policywatch.kafka import Consumer, Producer, Record
from policywatch.settings import KafkaSettings, TopicSettings
from tools.bench.corpus import CorpusGenerator
from tools.harness import detector_process

__all__ = [
    "LatencyResult",
    "TransportLatency",
    "percentile",
    "run_latency",
    "run_transport_latency",
]

_TICK = 0.010


@dataclass(frozen=True)
class LatencyResult:
    target_rate: float
    achieved_rate: float
    seconds: float
    articles: int
    positives_sent: int
    alerted_articles: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    sent_p50_ms: float
    sent_p99_ms: float
    tail_fetch_max_wait_ms: int
    #: CPU seconds the detector used per second of the run (1.0 = one core busy).
    detector_cpu_share: float
    #: Per second of the run (by send time): median and worst latency, to tell a steady tail
    #: from bursts (a shared host shows bursts).
    per_second_p50_ms: list[float]
    per_second_max_ms: list[float]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


@dataclass(frozen=True)
class TransportLatency:
    """Produce → record in a bare consumer's hands, at the same steady rate (no detection)."""

    target_rate: float
    achieved_rate: float
    articles: int
    received: int
    fetch_max_wait_ms: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    per_second_p50_ms: list[float]
    per_second_max_ms: list[float]


def _per_second(samples: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """``(sent at, latency ms)`` samples grouped by second of the run: median and worst."""
    origin = min((sent for sent, _ in samples), default=0.0)
    by_second: dict[int, list[float]] = {}
    for sent, ms in samples:
        by_second.setdefault(int(sent - origin), []).append(ms)
    seconds = [by_second[k] for k in sorted(by_second)]
    return [round(percentile(v, 50), 1) for v in seconds], [round(max(v), 1) for v in seconds]


def _alerted_article(record: Record) -> str | None:
    article_id = record.header("pw-article-id")
    return None if article_id is None else article_id.decode()


def _record_key(record: Record) -> str | None:
    return None if record.key is None else record.key.decode()


class _Tail(threading.Thread):
    """Reads ``topic`` from the start, noting for each key (``key_of(record)``) the times of its
    first record: received here, and the record's own timestamp."""

    def __init__(
        self,
        kafka: KafkaSettings,
        topic: str,
        fetch_max_wait_ms: int,
        key_of: Callable[[Record], str | None],
    ) -> None:
        super().__init__(daemon=True, name="bench-latency-tail")
        self._consumer = Consumer(kafka, [topic], None, fetch_max_wait_ms=fetch_max_wait_ms)
        self._key_of = key_of
        self.received: dict[str, tuple[float, float]] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                records = self._consumer.poll(timeout_ms=100)
                now = time.time()
                for r in records:
                    key = self._key_of(r)
                    if key is not None:
                        self.received.setdefault(key, (now, r.timestamp_ms / 1e3))
        finally:
            self._consumer.close()

    def wait_quiet(self, seconds: float = 1.0) -> None:
        """Return once nothing new has arrived for ``seconds``."""
        count, quiet = -1, time.monotonic()
        while time.monotonic() - quiet < seconds:
            if len(self.received) != count:
                count, quiet = len(self.received), time.monotonic()
            time.sleep(0.1)


def _produce_steady(
    producer: Producer,
    topic: str,
    corpus: CorpusGenerator,
    *,
    rate: float,
    seconds: float,
    start_index: int,
) -> tuple[dict[int, float], float]:
    """Send ``rate * seconds`` articles (keyed by their index) in 10 ms ticks; returns each
    index's send time and the elapsed seconds."""
    sent: dict[int, float] = {}
    per_tick = rate * _TICK
    total = int(rate * seconds)
    began = time.perf_counter()
    index = 0
    while index < total:
        due = min(total, int((time.perf_counter() - began) / _TICK * per_tick) + 1)
        while index < due:
            i = start_index + index
            payload = corpus.article(i)
            sent[i] = time.time()
            producer.send(topic, payload, key=str(i).encode())
            index += 1
        next_tick = began + (index / per_tick) * _TICK
        pause = next_tick - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    return sent, time.perf_counter() - began


def _steady_load(
    kafka: KafkaSettings,
    topic: str,
    corpus: CorpusGenerator,
    tail: _Tail,
    *,
    rate: float,
    seconds: float,
    start_index: int,
    settle: float = 0.0,
    on_loaded: Callable[[float], None] = lambda elapsed: None,
) -> tuple[dict[int, float], float]:
    """Start ``tail``, wait ``settle`` seconds, run the steady load into ``topic``
    (``on_loaded(elapsed)`` right after the last send), then wait until the tail has gone quiet
    and stop it."""
    producer = Producer(kafka, linger_ms=0)
    tail.start()
    try:
        time.sleep(settle)
        sent, elapsed = _produce_steady(
            producer, topic, corpus, rate=rate, seconds=seconds, start_index=start_index
        )
        on_loaded(elapsed)
        producer.flush(timeout=30)
        tail.wait_quiet()
    finally:
        tail.stop.set()
        tail.join(timeout=10)
        producer.close()
    return sent, elapsed


def run_transport_latency(
    kafka: KafkaSettings,
    topics: TopicSettings,
    corpus: CorpusGenerator,
    *,
    rate: float,
    seconds: float,
    start_index: int,
) -> TransportLatency:
    """The baseline: the steady load into ``topics.articles``, read back by a bare consumer
    with the detector's ``fetch_max_wait_ms``; every article is a sample."""
    tail = _Tail(kafka, topics.articles, kafka.fetch_max_wait_ms, _record_key)
    sent, elapsed = _steady_load(
        kafka,
        topics.articles,
        corpus,
        tail,
        rate=rate,
        seconds=seconds,
        start_index=start_index,
        # The tail's first fetch resolves its offsets: a record sent before that is still read
        # (from the start), but its latency would include the tail's start-up.
        settle=1.0,
    )
    samples = [
        (sent[int(k)], (got - sent[int(k)]) * 1e3)
        for k, (got, _) in tail.received.items()
        if int(k) in sent
    ]
    ages = [ms for _, ms in samples]
    per_second_p50, per_second_max = _per_second(samples)
    return TransportLatency(
        target_rate=rate,
        achieved_rate=len(sent) / elapsed if elapsed > 0 else 0.0,
        articles=len(sent),
        received=len(ages),
        fetch_max_wait_ms=kafka.fetch_max_wait_ms,
        p50_ms=percentile(ages, 50),
        p99_ms=percentile(ages, 99),
        max_ms=max(ages, default=0.0),
        per_second_p50_ms=per_second_p50,
        per_second_max_ms=per_second_max,
    )


def run_latency(
    kafka: KafkaSettings,
    topics: TopicSettings,
    corpus: CorpusGenerator,
    *,
    rate: float,
    seconds: float,
    start_index: int,
    workdir: Path,
    tail_fetch_max_wait_ms: int = 2,
) -> tuple[LatencyResult, int]:
    """Run the steady load; returns the result and the detector's peak RSS in bytes."""
    group = f"bench-latency-{uuid.uuid4().hex[:8]}"
    detector = detector_process(kafka, topics, group=group, log=workdir / f"detector-{group}.log")
    tail = _Tail(kafka, topics.alerts, tail_fetch_max_wait_ms, _alerted_article)
    cpu_share = 0.0
    with detector:
        detector.wait_ready(timeout=60)
        cpu_before = detector.cpu_seconds()

        def loaded(elapsed: float) -> None:
            nonlocal cpu_share
            cpu_share = (detector.cpu_seconds() - cpu_before) / elapsed if elapsed > 0 else 0.0

        by_index, elapsed = _steady_load(
            kafka,
            topics.articles,
            corpus,
            tail,
            rate=rate,
            seconds=seconds,
            start_index=start_index,
            on_loaded=loaded,
        )
        peak = detector.peak_rss_bytes()
    total = len(by_index)
    sent = {corpus.article_id(i): t for i, t in by_index.items()}
    positives = sum(corpus.kind(i) == "positive" for i in by_index)
    samples = [
        (sent[a], (got - sent[a]) * 1e3) for a, (got, _) in tail.received.items() if a in sent
    ]
    to_alert = [ms for _, ms in samples]
    per_second_p50, per_second_max = _per_second(samples)
    to_sent = [(ts - sent[a]) * 1e3 for a, (_, ts) in tail.received.items() if a in sent]
    result = LatencyResult(
        target_rate=rate,
        achieved_rate=total / elapsed if elapsed > 0 else 0.0,
        seconds=elapsed,
        articles=total,
        positives_sent=positives,
        alerted_articles=len(to_alert),
        p50_ms=percentile(to_alert, 50),
        p99_ms=percentile(to_alert, 99),
        max_ms=max(to_alert, default=0.0),
        sent_p50_ms=percentile(to_sent, 50),
        sent_p99_ms=percentile(to_sent, 99),
        tail_fetch_max_wait_ms=tail_fetch_max_wait_ms,
        detector_cpu_share=cpu_share,
        per_second_p50_ms=per_second_p50,
        per_second_max_ms=per_second_max,
    )
    return result, peak
