"""A real Prometheus scrapes a running ingest, detector and notifier; deploy/'s PromQL is run
against it.

One stack per module: the embedded broker, a DetectorService and a NotifierService in threads with
their HealthServers on free loopback ports, three webhook receivers on a loopback HTTP server
(one fails once, one is gone, one is down), an IngestService polling a feed on a loopback server
(into articles of its own, so the detector's counts stay the test's), and a Prometheus server
that scrapes the three services every second and evaluates deploy/prometheus/alerts.yml.
Articles and feed items go in as two waves, so every counter and histogram has an increase inside
the query window.
"""

from __future__ import annotations

import base64
import json
import math
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client.parser import text_string_to_metric_families

from policywatch.kafka import KafkaClients, ensure_topics
from policywatch.observability.http import HealthServer
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, Settings, TopicSettings
from tools.harness import produce, running

from ..ingest.support import FeedServer, Item, Page, rss
from .support import (
    ALERTS,
    DEPLOY,
    REPO,
    Prometheus,
    alert_rules,
    dashboard_queries,
    exported_names,
    http_get,
    metric_names_in,
    plain_promql,
    prometheus_server,
    require_tool,
    wait_until,
)

pytestmark = pytest.mark.kafka

POSITIVE = (
    "Washington has decided to allow Ukraine to use American-supplied ATACMS missiles "
    "against military targets inside Russia, officials said on Tuesday."
)
NEUTRAL = "The city council approved a new budget for public libraries on Monday."
SECRET = "whsec_" + base64.b64encode(b"policywatch-deploy-test-secret").decode()


def article(n: int, body: str) -> bytes:
    return json.dumps(
        {
            "id": f"deploy-{n}",
            "url": f"https://example.org/deploy/{n}",
            "source": "Test Wire",
            "published_at": "2026-11-20T10:00:00Z",
            "language": "en",
            "title": None,
            "body": body,
        }
    ).encode()


class Receivers:
    """Webhook endpoints on loopback: /flaky fails its first request, /gone is 410, /down 503."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        lock = threading.Lock()
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    seen[self.path] = n = seen.get(self.path, 0) + 1
                status = {"/gone": 410, "/down": 503}.get(self.path, 500 if n == 1 else 200)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> Receivers:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def notifier_config(receivers: Receivers) -> dict[str, object]:
    fast = {"retry_schedule": ["50ms", "100ms"], "timeout": 5}
    every = {"match_re": {"event_type": ".+"}, "continue": True}
    return {
        "metrics_port": 0,
        "receivers": [
            {"name": name, "webhook": {"url": receivers.url(f"/{name}"), "secret": SECRET}}
            | {"delivery": fast}
            for name in ("flaky", "gone", "down")
        ],
        "route": {
            "receiver": "flaky",
            "group_wait": 0,
            "group_interval": 0,
            "routes": [{"receiver": name, **every} for name in ("flaky", "gone", "down")],
        },
    }


@dataclass
class Stack:
    prometheus: Prometheus
    detector_metrics: Metrics
    notifier_metrics: Metrics
    detector_http: HealthServer
    notifier_http: HealthServer
    ingest_http: HealthServer


def _fresh_topics(kafka: KafkaSettings) -> TopicSettings:
    suffix = uuid.uuid4().hex[:10]
    topics = TopicSettings(
        articles=f"articles-{suffix}",
        articles_dlq=f"articles.dlq-{suffix}",
        alerts=f"alerts-{suffix}",
        alerts_dlq=f"alerts.dlq-{suffix}",
        notifier_state=f"notifier.state-{suffix}",
    )
    ensure_topics(
        kafka,
        [topics.articles, topics.articles_dlq, topics.alerts, topics.alerts_dlq],
        compacted=[topics.notifier_state],
    )
    return topics


def settle(
    prom: Prometheus, metrics: Metrics, name: str, label: str, value: str, at_least: float
) -> None:
    """Wait until the service counted ``at_least`` and Prometheus scraped what it counted."""
    name = f"policywatch_{name}"
    what = f"{name}{{{label}={value!r}}}"

    def counted() -> float:
        return metrics.registry.get_sample_value(name, {label: value}) or 0.0

    wait_until(f"{what} >= {at_least}", lambda: counted() >= at_least)
    wait_until(
        f"Prometheus to scrape {what}",
        lambda: prom.values(f'sum({name}{{{label}="{value}"}})') == [counted()],
    )


@pytest.fixture(scope="module")
def stack(
    kafka_settings: KafkaSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    binary = require_tool("prometheus", "prometheus")
    from policywatch.detector import DetectorService
    from policywatch.engine import Engine
    from policywatch.ingest import IngestService
    from policywatch.notifier import NotifierService

    topics = _fresh_topics(kafka_settings)
    feeds = FeedServer().start()
    suffix = uuid.uuid4().hex[:10]
    ingest_topics = topics.model_copy(
        update={"articles": f"ingest-articles-{suffix}", "ingest_state": f"ingest.state-{suffix}"}
    )
    ensure_topics(kafka_settings, [ingest_topics.articles], compacted=[ingest_topics.ingest_state])
    feed_items = [
        Item("Wave one", "The first item of the feed.", guid="w1"),
        Item(None, None, guid="empty"),  # skipped: no text
    ]
    feeds.pages["/wire"] = Page(rss(feed_items), etag='"1"')
    ingest = IngestService(
        Settings(
            kafka=kafka_settings,
            topics=ingest_topics,
            ingest={"feeds": [{"name": "wire", "url": feeds.url("/wire")}], "metrics_port": 0},
        ),
        Metrics.create(),
    )
    with Receivers() as receivers:
        settings = Settings(
            kafka=kafka_settings,
            topics=topics,
            detector={"group_id": f"deploy-det-{uuid.uuid4().hex[:8]}", "metrics_port": 0},
            notifier=notifier_config(receivers),
        )
        det_metrics, not_metrics = Metrics.create(), Metrics.create()
        detector = DetectorService(
            settings, Engine.from_paths(), det_metrics, KafkaClients(settings.kafka)
        )
        notifier = NotifierService(settings, not_metrics)
        det_http = HealthServer(det_metrics.registry, detector.readiness, "127.0.0.1", 0)
        not_http = HealthServer(not_metrics.registry, notifier.readiness, "127.0.0.1", 0)
        ing_http = HealthServer(ingest.metrics.registry, ingest.readiness, "127.0.0.1", 0)
        det_http.start()
        not_http.start()
        ing_http.start()
        ingest.start()
        targets = {
            "policywatch-detector": f"127.0.0.1:{det_http.port}",
            "policywatch-notifier": f"127.0.0.1:{not_http.port}",
            "policywatch-ingest": f"127.0.0.1:{ing_http.port}",
        }
        workdir = tmp_path_factory.mktemp("prometheus")
        try:
            with (
                prometheus_server(binary, workdir, targets, [ALERTS]) as prom,
                running(detector),
                running(notifier),
            ):
                for http in (det_http, not_http, ing_http):
                    wait_until(
                        f"/readyz on port {http.port}",
                        lambda h=http: http_get(f"http://127.0.0.1:{h.port}/readyz")[0] == 200,
                    )
                wait_until("the three targets up", lambda: prom.values("up") == [1.0] * 3)

                waves = [
                    [article(1, POSITIVE), b"not json"],
                    [article(2, POSITIVE), article(3, NEUTRAL), b"\xff\xfe"],
                ]
                consumed = 0
                for n, wave in enumerate(waves, 1):
                    produce(kafka_settings, topics.articles, wave)
                    consumed += len(wave)
                    # Each alert reaches flaky (after a retry) and is dead-lettered for down;
                    # the first one disables gone.
                    settle(
                        prom,
                        det_metrics,
                        "messages_consumed_total",
                        "service",
                        "detector",
                        consumed,
                    )
                    settle(prom, not_metrics, "notifications_sent_total", "receiver", "flaky", n)
                    settle(
                        prom,
                        not_metrics,
                        "notifications_dead_lettered_total",
                        "receiver",
                        "down",
                        n,
                    )
                    settle(prom, not_metrics, "receiver_disabled", "receiver", "gone", 1)
                    # A changed feed, then an unchanged one (304): both outcomes in each wave.
                    feed_items.append(Item(f"Wave {n} news", f"Item of wave {n}.", guid=f"n{n}"))
                    feeds.pages["/wire"] = Page(rss(feed_items), etag=f'"{n + 1}"')
                    assert ingest.poll_feed("wire") == "ok"
                    assert ingest.poll_feed("wire") == "not_modified"
                    settle(
                        prom, ingest.metrics, "ingest_items_published_total", "feed", "wire", n + 1
                    )
                # Lag is sampled every few seconds.
                wait_until(
                    "a consumer lag sample of each service in Prometheus",
                    lambda: len(prom.values("sum by (service) (policywatch_consumer_lag)")) == 2,
                )
                yield Stack(prom, det_metrics, not_metrics, det_http, not_http, ing_http)
        finally:
            det_http.stop()
            not_http.stop()
            ing_http.stop()
            ingest.close()
            feeds.stop()


def _has_data(doc: dict[str, object]) -> bool:
    result = doc.get("data", {}).get("result", [])  # type: ignore[union-attr]
    return any(not math.isnan(float(s["value"][1])) for s in result)


def test_every_dashboard_query_returns_data(stack: Stack) -> None:
    missing = []
    for title, expr in dashboard_queries():
        doc = stack.prometheus.query(plain_promql(expr))
        assert doc["status"] == "success", f"panel {title!r}: {expr}: {doc.get('error')}"
        if not _has_data(doc):
            missing.append(f"{title}: {expr}")
    assert not missing, "panels without data:\n" + "\n".join(missing)


def test_every_alerting_rule_parses_and_evaluates_without_error(stack: Stack) -> None:
    for rule in alert_rules():
        doc = stack.prometheus.query(rule["expr"])
        assert doc["status"] == "success", f"{rule['alert']}: {doc.get('error')}"
    loaded = stack.prometheus.api("rules", type="alert")["data"]["groups"]
    rules = [r for group in loaded for r in group["rules"]]
    assert {r["name"] for r in rules} == {r["alert"] for r in alert_rules()}
    wait_until(
        "every rule evaluated",
        lambda: all(
            r["health"] == "ok"
            for g in stack.prometheus.api("rules")["data"]["groups"]
            for r in g["rules"]
        ),
        timeout=10,
    )


def test_every_metric_name_in_deploy_is_exported_by_a_service(stack: Stack) -> None:
    exported: set[str] = set()
    for http in (stack.detector_http, stack.notifier_http, stack.ingest_http):
        status, body = http_get(f"http://127.0.0.1:{http.port}/metrics")
        assert status == 200
        exported |= exported_names(body.decode())
    files = [p for p in DEPLOY.rglob("*") if p.is_file()] + [REPO / "docs" / "metrics.md"]
    used = metric_names_in([p for p in files if p.exists()])
    assert used, "no policywatch_* metric found in deploy/"
    unknown = {
        name: sorted(str(p) for p in paths) for name, paths in used.items() if name not in exported
    }
    assert not unknown, f"metrics used in deploy/ but not exported: {unknown}"


def test_both_services_export_the_process_and_python_collectors(stack: Stack) -> None:
    for http in (stack.detector_http, stack.notifier_http):
        status, body = http_get(f"http://127.0.0.1:{http.port}/metrics")
        assert status == 200
        families = {f.name: f for f in text_string_to_metric_families(body.decode()) if f.samples}
        for name in ("process_resident_memory_bytes", "process_open_fds", "python_info"):
            assert name in families, f"{name} missing on port {http.port}"
        assert families["process_resident_memory_bytes"].samples[0].value > 0
        assert "process_cpu_seconds" in families and "python_gc_collections" in families


def test_healthy_stack_has_no_active_alerts_and_detector_down_fires_when_scrapes_fail(
    stack: Stack,
) -> None:
    active = stack.prometheus.active_alerts()
    for name in (
        "PolicywatchDetectorDown",
        "PolicywatchNotifierDown",
        "PolicywatchNoArticles",
        "PolicywatchNotReady",
        "PolicywatchFeedStale",
        "PolicywatchIngestDown",
    ):
        assert name not in active, f"{name} is {active[name]} while the stack is healthy"
    stack.detector_http.stop()
    wait_until(
        "PolicywatchDetectorDown to become pending",
        lambda: stack.prometheus.active_alerts().get("PolicywatchDetectorDown") == "pending",
        timeout=15,
    )
