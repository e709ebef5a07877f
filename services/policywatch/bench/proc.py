"""The detector under test, as the real ``python -m policywatch detector`` process.

Running it as a process, configured through ``PW_*`` like production, lets the benchmark read
its peak RSS (``VmHWM``) and CPU time from ``/proc`` and keeps the benchmark's own heap and
threads out of the measured process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

from policywatch.broker import free_port
from policywatch.settings import KafkaSettings, TopicSettings

__all__ = ["DetectorProcess"]


class DetectorProcess:
    """One detector process in consumer group ``group``; use as a context manager."""

    def __init__(
        self,
        kafka: KafkaSettings,
        topics: TopicSettings,
        group: str,
        log_file: Path,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.metrics_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PW_")}
        env.update(
            {
                "PW_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
                "PW_KAFKA__MAX_POLL_INTERVAL_MS": str(kafka.max_poll_interval_ms),
                "PW_KAFKA__SESSION_TIMEOUT_MS": str(kafka.session_timeout_ms),
                "PW_KAFKA__HEARTBEAT_INTERVAL_MS": str(kafka.heartbeat_interval_ms),
                "PW_KAFKA__FETCH_MAX_WAIT_MS": str(kafka.fetch_max_wait_ms),
                "PW_TOPICS__ARTICLES": topics.articles,
                "PW_TOPICS__ARTICLES_DLQ": topics.articles_dlq,
                "PW_TOPICS__ALERTS": topics.alerts,
                "PW_TOPICS__ALERTS_DLQ": topics.alerts_dlq,
                "PW_TOPICS__NOTIFIER_STATE": topics.notifier_state,
                "PW_DETECTOR__GROUP_ID": group,
                "PW_DETECTOR__METRICS_PORT": str(self.metrics_port),
                "PW_DETECTOR__METRICS_HOST": "127.0.0.1",
                "PW_LOGGING__LEVEL": "warning",
            }
        )
        env.update(extra_env or {})
        self._env = env
        self._log_file = log_file
        self._log: IO[bytes] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._proc is not None, "not started"
        return self._proc.pid

    def start(self) -> None:
        self._log = open(self._log_file, "ab")  # noqa: SIM115  (closed in stop())
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "policywatch", "detector"],
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def ready(self) -> bool:
        """``/readyz`` answers 200: connected, partitions assigned, rules loaded."""
        url = f"http://127.0.0.1:{self.metrics_port}/readyz"
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                return int(resp.status) == 200
        except (urllib.error.URLError, OSError):
            return False

    def wait_ready(self, timeout: float) -> float:
        """Seconds until ready; raises RuntimeError if it exits or the timeout passes."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if not self.alive():
                raise RuntimeError(f"detector exited early; see {self._log_file}")
            if self.ready():
                return time.monotonic() - began
            time.sleep(0.05)
        raise RuntimeError(f"detector not ready within {timeout:.0f}s; see {self._log_file}")

    def metrics_text(self) -> str:
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bytes(resp.read()).decode()

    def metric_sum(self, name: str) -> float:
        """The sum of every sample of ``name`` (all label sets)."""
        total = 0.0
        for line in self.metrics_text().splitlines():
            if line.startswith(name) and line[len(name) : len(name) + 1] in ("{", " "):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def _status(self, field: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        return 0

    def peak_rss_bytes(self) -> int:
        return self._status("VmHWM")

    def rss_bytes(self) -> int:
        return self._status("VmRSS")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the whole process (every thread)."""
        return _cpu(Path(f"/proc/{self.pid}/stat"))

    def main_thread_cpu_seconds(self) -> float:
        """CPU time of the main thread alone: the detect loop, without kafka-python's I/O
        threads (the rest of :meth:`cpu_seconds`)."""
        return _cpu(Path(f"/proc/{self.pid}/task/{self.pid}/stat"))

    def stop(self, timeout: float = 20.0) -> int | None:
        proc, self._proc = self._proc, None
        code = None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            code = proc.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def __enter__(self) -> DetectorProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _cpu(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
