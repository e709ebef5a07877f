"""Services as real processes, for fault tests (kill -9, SIGTERM, broker restarts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from policywatch.settings import KafkaSettings, TopicSettings


def service_env(
    kafka: KafkaSettings,
    topics: TopicSettings,
    *,
    group: str,
    metrics_port: int,
    notifier: dict[str, Any] | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a service subprocess; ``notifier`` becomes ``PW_NOTIFIER`` (JSON)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PW_")}
    env.update(
        {
            "PW_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "PW_KAFKA__MAX_POLL_INTERVAL_MS": "10000",
            "PW_KAFKA__SESSION_TIMEOUT_MS": "6000",
            "PW_KAFKA__HEARTBEAT_INTERVAL_MS": "1000",
            "PW_KAFKA__REQUEST_TIMEOUT_MS": "5000",
            "PW_TOPICS__ARTICLES": topics.articles,
            "PW_TOPICS__ARTICLES_DLQ": topics.articles_dlq,
            "PW_TOPICS__ALERTS": topics.alerts,
            "PW_TOPICS__ALERTS_DLQ": topics.alerts_dlq,
            "PW_TOPICS__NOTIFIER_STATE": topics.notifier_state,
            "PW_DETECTOR__GROUP_ID": group,
            "PW_DETECTOR__METRICS_PORT": str(metrics_port),
            "PW_DETECTOR__METRICS_HOST": "127.0.0.1",
        }
    )
    if notifier is not None:
        env["PW_NOTIFIER"] = json.dumps(notifier)
    env.update(extra or {})
    return env


def start(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:  # the child has its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "policywatch", command], env=env, stdout=out, stderr=out
        )


def terminate(proc: subprocess.Popen[bytes], grace: float = 30.0) -> int:
    """SIGTERM, then the exit code; a process that outlives ``grace`` is killed and fails."""
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"{proc.args} did not exit within {grace:.0f}s of SIGTERM") from None


def readyz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return None


def wait_for(predicate: object, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def article_json(n: int, body: str) -> bytes:
    return json.dumps(
        {
            "id": f"art-{n:05d}",
            "url": f"https://example.org/{n}",
            "source": f"Wire {n % 7}",
            "published_at": "2026-11-20T10:00:00Z",
            "language": "en",
            "title": None,
            "body": body,
        }
    ).encode()


def rss_kib(pid: int) -> int:
    """Resident set size of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def scrape(port: int) -> str:
    """The text of a service's ``/metrics``."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        return str(resp.read().decode("utf-8"))


def metric_sum(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels`` (0 when there are none)."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total
