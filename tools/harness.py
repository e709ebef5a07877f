"""The harness the benchmark, the soak run and the fault tests share.

A service under test runs as the real ``python -m policywatch <service>`` process, configured
through ``PW_*`` like production: :func:`service_env` writes that environment, :func:`start` and
:func:`terminate` bound the process, :func:`readyz` and :func:`scrape` read its HTTP endpoints,
and ``/proc`` gives its memory and CPU time. :class:`ServiceProcess` puts those together for
tools that hold one service for a whole run. Topics are fresh per run (:func:`fresh_topics`, a
uuid suffix) so runs against one broker never read each other's records.

The CLI's ``policywatch run`` starts services too, but it is product and cannot import tools.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from prometheus_client.parser import text_string_to_metric_families

from policywatch.broker import free_port
from policywatch.kafka import Consumer, Producer, Record, ensure_topics
from policywatch.settings import KafkaSettings, TopicSettings

__all__ = [
    "ROOT",
    "ServiceProcess",
    "cpu_seconds",
    "detector_process",
    "fresh_topics",
    "main_thread_cpu_seconds",
    "metric_sum",
    "peak_rss_bytes",
    "produce",
    "read_topic",
    "readyz",
    "rss_bytes",
    "running",
    "scrape",
    "service_env",
    "start",
    "terminate",
    "tools_env",
    "wait_for",
]

#: The repository root: ``tools`` is importable from here, never from the installed wheel.
ROOT = Path(__file__).resolve().parent.parent


def tools_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with :data:`ROOT` first on PYTHONPATH,
    for a child that runs ``python -m tools...`` from any working directory."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def fresh_topics(
    kafka: KafkaSettings, label: str = "", *, partitions: int | None = None
) -> TopicSettings:
    """Topics no earlier run has used, created now (the notifier's state topic compacted)."""
    suffix = f"{label}-{uuid.uuid4().hex[:8]}" if label else uuid.uuid4().hex[:10]
    topics = TopicSettings(
        articles=f"articles-{suffix}",
        articles_dlq=f"articles.dlq-{suffix}",
        alerts=f"alerts-{suffix}",
        alerts_dlq=f"alerts.dlq-{suffix}",
        alerts_retry=f"alerts.retry-{suffix}",
        notifier_state=f"notifier.state-{suffix}",
        silences=f"silences-{suffix}",
    )
    ensure_topics(
        kafka,
        [
            topics.articles,
            topics.articles_dlq,
            topics.alerts,
            topics.alerts_dlq,
            topics.alerts_retry,
        ],
        compacted=[topics.notifier_state, topics.silences],
        partitions=partitions,
    )
    return topics


def service_env(
    kafka: KafkaSettings,
    topics: TopicSettings,
    *,
    group: str | None = None,
    metrics_port: int | None = None,
    notifier: dict[str, Any] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a service subprocess.

    The caller's ``PW_*`` variables are dropped, so only ``kafka``'s group timings (which decide
    how fast a rebalance is) and ``topics`` reach the child. ``group`` and ``metrics_port`` are
    the detector's; the notifier takes its whole section as ``notifier`` (``PW_NOTIFIER``, JSON).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PW_")}
    env.update(
        {
            "PW_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "PW_KAFKA__MAX_POLL_INTERVAL_MS": str(kafka.max_poll_interval_ms),
            "PW_KAFKA__SESSION_TIMEOUT_MS": str(kafka.session_timeout_ms),
            "PW_KAFKA__HEARTBEAT_INTERVAL_MS": str(kafka.heartbeat_interval_ms),
            "PW_KAFKA__REQUEST_TIMEOUT_MS": str(kafka.request_timeout_ms),
            "PW_KAFKA__FETCH_MAX_WAIT_MS": str(kafka.fetch_max_wait_ms),
            "PW_TOPICS__ARTICLES": topics.articles,
            "PW_TOPICS__ARTICLES_DLQ": topics.articles_dlq,
            "PW_TOPICS__ALERTS": topics.alerts,
            "PW_TOPICS__ALERTS_DLQ": topics.alerts_dlq,
            "PW_TOPICS__ALERTS_RETRY": topics.alerts_retry,
            "PW_TOPICS__NOTIFIER_STATE": topics.notifier_state,
            "PW_TOPICS__SILENCES": topics.silences,
        }
    )
    if group is not None:
        env["PW_DETECTOR__GROUP_ID"] = group
    if metrics_port is not None:
        env["PW_DETECTOR__METRICS_PORT"] = str(metrics_port)
        env["PW_DETECTOR__METRICS_HOST"] = "127.0.0.1"
    if notifier is not None:
        env["PW_NOTIFIER"] = json.dumps(notifier)
    env.update(extra or {})
    return env


def start(service: str, env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m policywatch <service>``, its output appended to ``log``."""
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "policywatch", service],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def terminate(proc: subprocess.Popen[bytes], grace: float = 30.0) -> int:
    """SIGTERM, then the exit code; a process that outlives ``grace`` is killed (-SIGKILL)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def _get(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as resp:
        return int(resp.status), bytes(resp.read())


def readyz(port: int) -> int | None:
    """The status ``/readyz`` answers (200: connected, partitions assigned), None if nothing
    listens yet."""
    try:
        return _get(port, "/readyz", timeout=2)[0]
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return None


def scrape(port: int) -> str:
    """The text of a service's ``/metrics``."""
    return _get(port, "/metrics", timeout=5)[1].decode("utf-8")


def metric_sum(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels`` (0 when there are none)."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def _status_bytes(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def rss_bytes(pid: int) -> int:
    return _status_bytes(pid, "VmRSS")


def peak_rss_bytes(pid: int) -> int:
    """The high-water mark of the resident set (``VmHWM``)."""
    return _status_bytes(pid, "VmHWM")


def _cpu(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the whole process (every thread)."""
    return _cpu(Path(f"/proc/{pid}/stat"))


def main_thread_cpu_seconds(pid: int) -> float:
    """CPU time of the main thread alone: a service's loop without kafka-python's I/O threads."""
    return _cpu(Path(f"/proc/{pid}/task/{pid}/stat"))


def wait_for(
    predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.2
) -> None:
    """Poll ``predicate`` until it is truthy; TimeoutError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


class ServiceProcess:
    """One ``python -m policywatch <service>`` for the length of a run; a context manager."""

    def __init__(self, service: str, env: Mapping[str, str], metrics_port: int, log: Path):
        self.service = service
        self.env = dict(env)
        self.metrics_port = metrics_port
        self.log = log
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError(f"{self.service} is not started")
        return self._proc.pid

    def start(self) -> None:
        self._proc = start(self.service, self.env, self.log)

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def wait_ready(self, timeout: float, interval: float = 0.05) -> float:
        """Seconds until ``/readyz`` answers 200; RuntimeError if it exits or ``timeout`` passes."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if not self.alive():
                raise RuntimeError(f"{self.service} exited early; see {self.log}")
            if readyz(self.metrics_port) == 200:
                return time.monotonic() - began
            time.sleep(interval)
        raise RuntimeError(f"{self.service} not ready within {timeout:.0f}s; see {self.log}")

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples of ``name`` carrying ``labels``, read from ``/metrics`` now."""
        return metric_sum(scrape(self.metrics_port), name, **labels)

    def rss_bytes(self) -> int:
        return rss_bytes(self.pid)

    def peak_rss_bytes(self) -> int:
        return peak_rss_bytes(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def main_thread_cpu_seconds(self) -> float:
        return main_thread_cpu_seconds(self.pid)

    def stop(self, grace: float = 30.0) -> int | None:
        """SIGTERM and the exit code; None if it never started."""
        proc, self._proc = self._proc, None
        return None if proc is None else terminate(proc, grace)

    def __enter__(self) -> ServiceProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def detector_process(
    kafka: KafkaSettings,
    topics: TopicSettings,
    *,
    group: str,
    log: Path,
    extra: Mapping[str, str] | None = None,
) -> ServiceProcess:
    """A detector in consumer group ``group`` with its ``/metrics`` on a free loopback port,
    logging warnings only (a measured run should not spend its time writing logs)."""
    port = free_port()
    env = service_env(
        kafka,
        topics,
        group=group,
        metrics_port=port,
        extra={"PW_LOGGING__LEVEL": "warning", **(extra or {})},
    )
    return ServiceProcess("detector", env, port, log)


def produce(kafka: KafkaSettings, topic: str, values: list[bytes]) -> None:
    """Send ``values`` keyed by their index and wait for every acknowledgement."""
    producer = Producer(kafka)
    try:
        results = [producer.send(topic, v, key=str(i).encode()) for i, v in enumerate(values)]
        producer.flush()
        for r in results:
            r.get()
    finally:
        producer.close()


def read_topic(
    kafka: KafkaSettings, topic: str, *, expect: int, timeout: float = 30.0
) -> list[Record]:
    """Read a topic from the beginning until ``expect`` records arrived or ``timeout`` passed."""
    consumer = Consumer(kafka, [topic], None)
    records: list[Record] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expect and time.monotonic() < deadline:
            records.extend(consumer.poll(timeout_ms=200))
        # A short grace poll, so a caller that expects N also sees an unexpected N+1.
        records.extend(consumer.poll(timeout_ms=300))
    finally:
        consumer.close()
    return records


class Runnable(Protocol):
    def run(self, stop: threading.Event) -> object: ...


@contextmanager
def running(service: Runnable, grace: float = 30.0) -> Iterator[threading.Event]:
    """Run ``service.run(stop)`` in a thread of this process for the duration of the block."""
    stop = threading.Event()
    thread = threading.Thread(target=service.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=grace)
        if thread.is_alive():
            raise RuntimeError(f"{type(service).__name__} did not stop within {grace:.0f}s")
