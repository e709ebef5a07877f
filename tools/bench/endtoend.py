"""Sections 2 and 6: the detector end to end on the broker, and its peak memory.

The articles topic is loaded before any detector starts, so the run is bound by consuming, not
by producing. The clock runs from the first committed offset seen after every replica is ready
(group join excluded) to the moment the group has committed every article; committed offsets are
what at-least-once promises, so a record only counts once its alerts are acknowledged.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from policywatch.settings import KafkaSettings, TopicSettings
from tools.bench.offsets import OffsetWatcher
from tools.harness import ServiceProcess, detector_process

__all__ = ["EndToEndResult", "run_end_to_end"]


@dataclass(frozen=True)
class EndToEndResult:
    replicas: int
    rules: str
    partitions: int
    articles: int
    timed_articles: int
    wall_seconds: float
    cpu_seconds: float
    #: CPU of the detectors' main threads alone (the loop); the rest is kafka-python's threads.
    main_thread_cpu_seconds: float
    join_seconds: float
    alerts: int
    dead_lettered: int
    peak_rss_bytes: int
    #: Mean of ``policywatch_processing_seconds`` (decode, dedupe, scan, send) per article.
    handle_us: float

    @property
    def per_second(self) -> float:
        return self.timed_articles / self.wall_seconds if self.wall_seconds > 0 else 0.0

    @property
    def main_thread_us(self) -> float:
        """Main-thread CPU microseconds per article."""
        return (
            self.main_thread_cpu_seconds / self.timed_articles * 1e6 if self.timed_articles else 0.0
        )

    @property
    def io_threads_us(self) -> float:
        """CPU microseconds per article of every other thread (kafka-python's I/O)."""
        other = self.cpu_seconds - self.main_thread_cpu_seconds
        return other / self.timed_articles * 1e6 if self.timed_articles else 0.0

    @property
    def per_cpu_second(self) -> float:
        """Articles per CPU second of the detector process(es): the per-core rate."""
        return self.timed_articles / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


def run_end_to_end(
    kafka: KafkaSettings,
    topics: TopicSettings,
    *,
    articles: int,
    partitions: int,
    replicas: int,
    workdir: Path,
    rules: Path | None = None,
    timeout: float = 300.0,
    interval: float = 0.05,
) -> EndToEndResult:
    """Start ``replicas`` detectors on the pre-loaded topic and time them through ``articles``.

    ``rules``: a rule directory instead of the built-in pack (``PW_RULES__PATHS``).
    """
    group = f"bench-detector-{uuid.uuid4().hex[:8]}"
    env = {"PW_RULES__PATHS": json.dumps([str(rules)])} if rules is not None else {}
    procs = [
        detector_process(
            kafka, topics, group=group, log=workdir / f"detector-{group}-{i}.log", extra=env
        )
        for i in range(replicas)
    ]
    for p in procs:
        p.start()
    watcher = OffsetWatcher(kafka, group, topics.articles)
    try:
        began = time.monotonic()
        for p in procs:
            p.wait_ready(timeout=60)
        join = time.monotonic() - began
        deadline = time.monotonic() + timeout
        start: tuple[float, int, float, float] | None = None
        end: tuple[float, int, float, float] | None = None
        while time.monotonic() < deadline:
            before = time.perf_counter()
            done = watcher.committed()
            at = (before + time.perf_counter()) / 2
            if start is None and done > 0:
                start = (at, done, *_cpu(procs))
            if done >= articles:
                end = (at, done, *_cpu(procs))
                break
            if not all(p.alive() for p in procs):
                raise RuntimeError(f"a detector exited during the run; logs in {workdir}")
            time.sleep(interval)
        if start is None or end is None:
            raise RuntimeError(f"detectors did not commit {articles} articles in {timeout:.0f}s")
        alerts = sum(int(p.metric("policywatch_alerts_produced_total")) for p in procs)
        dead = sum(int(p.metric("policywatch_messages_dead_lettered_total")) for p in procs)
        peak = max(p.peak_rss_bytes() for p in procs)
        handled = sum(p.metric("policywatch_processing_seconds_count") for p in procs)
        handle_s = sum(p.metric("policywatch_processing_seconds_sum") for p in procs)
    finally:
        watcher.close()
        for p in procs:
            p.stop()
    return EndToEndResult(
        replicas=replicas,
        rules="built-in" if rules is None else rules.name,
        partitions=partitions,
        articles=articles,
        timed_articles=end[1] - start[1],
        wall_seconds=end[0] - start[0],
        cpu_seconds=end[2] - start[2],
        main_thread_cpu_seconds=end[3] - start[3],
        join_seconds=join,
        alerts=alerts,
        dead_lettered=dead,
        peak_rss_bytes=peak,
        handle_us=handle_s / handled * 1e6 if handled else 0.0,
    )


def _cpu(procs: list[ServiceProcess]) -> tuple[float, float]:
    """(process CPU seconds, main-thread CPU seconds), summed over the detectors."""
    return (
        sum(p.cpu_seconds() for p in procs),
        sum(p.main_thread_cpu_seconds() for p in procs),
    )
