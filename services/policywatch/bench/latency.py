"""Section 5: latency from producing an article to its alert on ``alerts``, at a steady rate.

A detector process consumes fresh, empty topics; the benchmark then produces articles on a fixed
schedule (``rate`` per second, in 10 ms ticks) and a tail consumer on ``alerts`` notes when each
alert arrives. Two latencies per alerted article (its first alert), both on this host's clock:

* ``produce_to_alert``: article ``send()`` → alert received by the tail consumer. This is the
  headline; it includes the alert's acknowledgement and the tail consumer's own fetch wait, so it
  is an upper bound on "alert on the topic".
* ``produce_to_alert_sent``: article ``send()`` → the alert record's timestamp (the detector's
  ``send()``), i.e. without the alert's produce round trip and the observer.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from policywatch.bench.corpus import CorpusGenerator
from policywatch.bench.proc import DetectorProcess
from policywatch.kafka import Consumer, Producer
from policywatch.settings import KafkaSettings, TopicSettings

__all__ = ["LatencyResult", "percentile", "run_latency"]

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


class _Tail(threading.Thread):
    """Reads ``topic`` from the start, noting for each article id its first alert's times."""

    def __init__(self, kafka: KafkaSettings, topic: str, fetch_max_wait_ms: int) -> None:
        super().__init__(daemon=True, name="bench-alert-tail")
        self._consumer = Consumer(kafka, [topic], None, fetch_max_wait_ms=fetch_max_wait_ms)
        self.received: dict[str, tuple[float, float]] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                records = self._consumer.poll(timeout_ms=100)
                now = time.time()
                for r in records:
                    article_id = r.header("pw-article-id")
                    if article_id is not None:
                        self.received.setdefault(article_id.decode(), (now, r.timestamp_ms / 1e3))
        finally:
            self._consumer.close()


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
    detector = DetectorProcess(kafka, topics, group, workdir / f"detector-{group}.log")
    tail = _Tail(kafka, topics.alerts, tail_fetch_max_wait_ms)
    producer = Producer(kafka, linger_ms=0)
    sent: dict[str, float] = {}
    positives = 0
    with detector:
        detector.wait_ready(timeout=60)
        tail.start()
        cpu_before = detector.cpu_seconds()
        try:
            per_tick = rate * _TICK
            total = int(rate * seconds)
            began = time.perf_counter()
            index = 0
            while index < total:
                due = min(total, int((time.perf_counter() - began) / _TICK * per_tick) + 1)
                while index < due:
                    i = start_index + index
                    payload = corpus.article(i)
                    sent[corpus.article_id(i)] = time.time()
                    producer.send(topics.articles, payload, key=str(i).encode())
                    positives += corpus.kind(i) == "positive"
                    index += 1
                next_tick = began + (index / per_tick) * _TICK
                pause = next_tick - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
            elapsed = time.perf_counter() - began
            cpu_share = (detector.cpu_seconds() - cpu_before) / elapsed if elapsed > 0 else 0.0
            producer.flush(timeout=30)
            # Let the last alerts arrive: stop once nothing new came for a second.
            count, quiet = -1, time.monotonic()
            while time.monotonic() - quiet < 1.0:
                if len(tail.received) != count:
                    count, quiet = len(tail.received), time.monotonic()
                time.sleep(0.1)
        finally:
            tail.stop.set()
            tail.join(timeout=10)
            producer.close()
        peak = detector.peak_rss_bytes()
    to_alert = [(got - sent[a]) * 1e3 for a, (got, _) in tail.received.items() if a in sent]
    origin = min(sent.values(), default=0.0)
    by_second: dict[int, list[float]] = {}
    for a, (got, _) in tail.received.items():
        if a in sent:
            by_second.setdefault(int(sent[a] - origin), []).append((got - sent[a]) * 1e3)
    seconds_seen = [by_second[k] for k in sorted(by_second)]
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
        per_second_p50_ms=[round(percentile(v, 50), 1) for v in seconds_seen],
        per_second_max_ms=[round(max(v), 1) for v in seconds_seen],
    )
    return result, peak
