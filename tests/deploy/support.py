"""Shared by the deploy tests: paths, external tools, the PromQL of deploy/, a Prometheus server."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from policywatch.broker import free_port

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "policywatch.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"

#: Grafana's built-in interval variables, replaced by fixed durations for a plain Prometheus.
GRAFANA_MACROS = {"$__rate_interval": "1m", "$__interval": "1s", "$__range": "5m"}
METRIC_NAME = re.compile(r"\bpolicywatch_[a-z0-9_]+\b")


def require_tool(name: str, package: str) -> str:
    """The tool's path; a skip naming the package to install, or a failure under CI."""
    path = shutil.which(name)
    if path is not None:
        return path
    why = f"{name} is not installed (apt-get install {package}; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"{why}: CI must have it")
    pytest.skip(why)


def run_tool(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every target of every panel, rows included."""
    doc = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    out: list[tuple[str, str]] = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            out.extend((panel["title"], t["expr"]) for t in panel.get("targets", []))
            walk(panel.get("panels", []))

    walk(doc["panels"])
    return out


def alert_rules(path: Path = ALERTS) -> list[dict[str, Any]]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def plain_promql(expr: str) -> str:
    """``expr`` with Grafana's macros replaced; fails on any other dashboard variable."""
    for macro, value in GRAFANA_MACROS.items():
        expr = expr.replace(macro, value)
    assert "$" not in expr, f"unknown dashboard variable in {expr!r}"
    return expr


def metric_names_in(paths: list[Path]) -> dict[str, set[Path]]:
    """Every ``policywatch_*`` metric name mentioned in the given files → files mentioning it."""
    found: dict[str, set[Path]] = {}
    for path in paths:
        for name in METRIC_NAME.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(path)
    return found


def exported_names(exposition: str) -> set[str]:
    """Metric family names and sample names of a /metrics text, series or not."""
    names: set[str] = set()
    for line in exposition.splitlines():
        if line.startswith(("# HELP ", "# TYPE ")):
            names.add(line.split()[2])
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    for family in list(names):
        names.update(family + s for s in ("_bucket", "_count", "_sum", "_total", "_created"))
    return names


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until(what: str, check: Any, timeout: float = 30.0, every: float = 0.2) -> Any:
    """Poll ``check()`` until it returns something truthy; fail naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


class Prometheus:
    """A Prometheus server on loopback, queried through its HTTP API."""

    def __init__(self, url: str) -> None:
        self.url = url

    def api(self, path: str, **params: str) -> dict[str, Any]:
        query = urllib.parse.urlencode(params)
        status, body = http_get(f"{self.url}/api/v1/{path}?{query}")
        doc: dict[str, Any] = json.loads(body)
        doc["http_status"] = status
        return doc

    def query(self, expr: str) -> dict[str, Any]:
        return self.api("query", query=expr)

    def values(self, expr: str) -> list[float]:
        doc = self.query(expr)
        assert doc["status"] == "success", doc
        return [float(sample["value"][1]) for sample in doc["data"]["result"]]

    def active_alerts(self) -> dict[str, str]:
        """Alert name → state (pending or firing) of the alerts currently active."""
        doc = self.api("alerts")
        return {a["labels"]["alertname"]: a["state"] for a in doc["data"]["alerts"]}


@contextmanager
def prometheus_server(
    binary: str, workdir: Path, scrape_targets: dict[str, str], rule_files: list[Path]
) -> Iterator[Prometheus]:
    """Run ``binary`` scraping ``job name → host:port`` every second, with the given rules."""
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [target]}]}
            for job, target in scrape_targets.items()
        ],
    }
    config_file = workdir / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log = (workdir / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config_file}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"prometheus exited with {proc.returncode}: {_tail(workdir)}")
        try:
            return http_get(f"{url}/-/ready", timeout=1)[0] == 200
        except OSError:
            return False

    try:
        wait_until("prometheus to be ready", ready, timeout=30)
        yield Prometheus(url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _tail(workdir: Path) -> str:
    return (workdir / "prometheus.log").read_text(errors="replace")[-2000:]
