"""``make soak``: a long steady load through the detector and the notifier, checking for leaks.

    python -m policywatch.soak [--minutes 10] [--rate 300]

Starts an embedded broker on a free port, the detector and the notifier as real processes, and
a signed local webhook receiver; publishes synthetic articles at ``--rate`` per second for
``--minutes`` (a share of them report policy shifts the built-in rule pack detects), then waits
for the pipeline to drain and prints a small report:

- articles published, alerts expected (the engine run here on the article templates) and
  alerts the detector produced;
- per story, the articles the receiver was told about (the story's corroboration) against the
  articles that reported it — nothing may be lost;
- RSS of both services after the warm-up (once the detector's bounded duplicate window is
  full) and at the end, and the peak in between.

Exits 1 if anything is lost or either RSS grew more than ``--max-growth`` (10 %) from the
warm-up to the end. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from policywatch.broker import EmbeddedBroker, free_port
from policywatch.engine import Engine
from policywatch.kafka import Producer, ensure_topics, wait_for_broker
from policywatch.models import decode_article
from policywatch.notifier.routing import alert_labels
from policywatch.notifier.webhook_listener import (
    WebhookListener,
    generate_secret,
    local_webhook_config,
)
from policywatch.settings import DetectorSettings, KafkaSettings, TopicSettings
from policywatch.settings.notifier import DEFAULT_GROUP_BY

#: Sentences the built-in rule pack reports (written for this tool).
POSITIVES = (
    "Washington has decided to allow Ukraine to use American-supplied ATACMS missiles against "
    "military targets inside Russia, officials said on Tuesday.",
    "The European Union on Thursday adopted a new package of sanctions against Russia, adding "
    "two banks to its blacklist.",
    "The United States has paused funding for a UN relief agency, the State Department said.",
)
#: Ordinary news: nothing here is a policy shift.
FILLER = (
    "The city council met on {day} to discuss bus timetables and a new bicycle lane.",
    "Heavy rain is expected across the north of the region later in the week.",
    "A local football club announced a new coach after a disappointing season.",
    "Shares in several retailers rose slightly in early trading, analysts noted.",
    "The museum will extend its opening hours during the summer festival.",
    "Farmers reported a good harvest of apples despite a dry spring.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
SOURCES = tuple(f"Soak Wire {c}" for c in "ABCDEFGHIJKL")
GroupKey = tuple[str, ...]


def article(n: int, positive: int | None) -> bytes:
    """Article ``n``; ``positive`` picks a sentence of :data:`POSITIVES` (None: filler only)."""
    sentences = [FILLER[(n + i) % len(FILLER)].format(day=DAYS[n % 5]) for i in range(3)]
    sentences.append(f"This is item {n} of the afternoon briefing.")  # no two bodies alike
    if positive is not None:
        sentences.insert(1, POSITIVES[positive])
    return json.dumps(
        {
            "id": f"soak-{n:08d}",
            "url": f"https://soak.example/{n}",
            "source": SOURCES[n % len(SOURCES)],
            "published_at": datetime.now(UTC).isoformat(),
            "language": "en",
            "title": None,
            "body": " ".join(sentences),
        }
    ).encode()


def positive_for(n: int, every: int) -> int | None:
    return (n // every) % len(POSITIVES) if n % every == 0 else None


def template_groups(engine: Engine) -> dict[int | None, list[GroupKey]]:
    """The notifier's story key of each alert each template produces (checked on two samples)."""
    now = datetime.now(UTC)
    out: dict[int | None, list[GroupKey]] = {}
    for template in (None, *range(len(POSITIVES))):
        keys = []
        for n in (7, 10_008):
            alerts = engine.detect(decode_article(article(n, template)), detected_at=now)
            labels = [alert_labels(a) for a in alerts]
            keys.append(sorted(tuple(lab[g] for g in DEFAULT_GROUP_BY) for lab in labels))
        if keys[0] != keys[1]:
            raise RuntimeError(f"template {template} is detected differently per article")
        out[template] = keys[0]
    return out


@dataclass
class Service:
    """``python -m policywatch <name>`` with its ``/metrics`` port."""

    name: str
    env: dict[str, str]
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "policywatch", self.name],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def _get(self, path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return int(resp.status), bytes(resp.read()).decode()
        except urllib.error.HTTPError as exc:
            return int(exc.code), ""
        except OSError:
            return 0, ""

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.log_path}")
            if self._get("/readyz")[0] == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready within {timeout:.0f}s; see {self.log_path}")

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples of ``name`` carrying ``labels``."""
        total = 0.0
        for line in self._get("/metrics")[1].splitlines():
            if not line.startswith(name) or line[len(name) : len(name) + 1] not in ("{", " "):
                continue
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def rss_mib(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> int | None:
        code = None
        if self.proc is not None:
            self.proc.terminate()
            try:
                code = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
        return code


@dataclass
class Rss:
    start: float = 0.0
    end: float = 0.0
    peak: float = 0.0

    def sample(self, value: float) -> None:
        self.peak = max(self.peak, value)
        self.end = value

    @property
    def growth(self) -> float:
        return (self.end - self.start) / self.start if self.start else 0.0


def _service_env(kafka: KafkaSettings, topics: TopicSettings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PW_")}
    env.update(
        {
            "PW_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "PW_TOPICS__ARTICLES": topics.articles,
            "PW_TOPICS__ARTICLES_DLQ": topics.articles_dlq,
            "PW_TOPICS__ALERTS": topics.alerts,
            "PW_TOPICS__ALERTS_DLQ": topics.alerts_dlq,
            "PW_TOPICS__NOTIFIER_STATE": topics.notifier_state,
            "PW_LOGGING__LEVEL": "warning",
        }
    )
    return env


def warmup_seconds(minutes: float, rate: int) -> float:
    """When the RSS baseline is taken: once the detector's duplicate window is full.

    The window (``detector.dedupe_window`` fingerprints, 100,000 by default, ~22 MB) is bounded
    state that grows until it is full; measuring growth before that would report the window
    filling up, not a leak. Never later than 60 % of the run, and never before 60 s.
    """
    fill = DetectorSettings().dedupe_window / rate + 30
    return min(max(60.0, fill), minutes * 60 * 0.6)


def run(minutes: float, rate: int, every: int, max_growth: float, workdir: Path) -> int:
    engine = Engine.from_paths()
    groups = template_groups(engine)
    if not any(groups[t] for t in range(len(POSITIVES))):
        print("soak: the rule pack detects none of the positive sentences", file=sys.stderr)
        return 2
    broker = EmbeddedBroker("127.0.0.1", free_port(), log_file=workdir / "broker.log")
    kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
    suffix = uuid.uuid4().hex[:8]
    topics = TopicSettings(
        articles=f"articles-{suffix}",
        articles_dlq=f"articles.dlq-{suffix}",
        alerts=f"alerts-{suffix}",
        alerts_dlq=f"alerts.dlq-{suffix}",
        notifier_state=f"notifier.state-{suffix}",
    )
    secret = generate_secret()
    listener = WebhookListener(secret)
    services: list[Service] = []
    producer: Producer | None = None
    try:
        broker.start()
        wait_for_broker(kafka, timeout=30)
        ensure_topics(
            kafka,
            [topics.articles, topics.articles_dlq, topics.alerts, topics.alerts_dlq],
            compacted=[topics.notifier_state],
        )
        listener.start()
        env = _service_env(kafka, topics)
        detector = Service("detector", dict(env), free_port(), workdir / "detector.log")
        detector.env.update(
            {
                "PW_DETECTOR__METRICS_PORT": str(detector.port),
                "PW_DETECTOR__METRICS_HOST": "127.0.0.1",
                "PW_DETECTOR__GROUP_ID": f"soak-detector-{suffix}",
            }
        )
        notifier = Service("notifier", dict(env), free_port(), workdir / "notifier.log")
        section = local_webhook_config(listener.url, secret, name="soak")
        section["route"].update(group_wait="2s", group_interval="5s")
        section.update(
            metrics_port=notifier.port,
            metrics_host="127.0.0.1",
            group_id=f"soak-notifier-{suffix}",
        )
        notifier.env["PW_NOTIFIER"] = json.dumps(section)
        services = [detector, notifier]
        for s in services:
            s.start()
        for s in services:
            s.wait_ready(90)
        print(f"soak: broker, detector and notifier up; logs in {workdir}", flush=True)

        rss = {s.name: Rss() for s in services}
        producer = Producer(kafka)
        warmup = warmup_seconds(minutes, rate)
        print(f"soak: RSS is compared from {warmup:.0f}s (warm-up) to the end", flush=True)
        total = int(minutes * 60 * rate)
        began = time.monotonic()
        published = 0
        expected: dict[GroupKey, int] = Counter()
        next_report = began + 30
        while published < total:
            tick = began + published / rate
            delay = tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            batch = min(total - published, max(1, rate // 10))
            for n in range(published, published + batch):
                template = positive_for(n, every)
                producer.send(topics.articles, article(n, template), key=str(n).encode())
                for key in groups[template]:
                    expected[key] += 1
            published += batch
            now = time.monotonic()
            if not rss["detector"].start and now - began >= warmup:
                for s in services:
                    rss[s.name].start = s.rss_mib()
            for s in services:
                rss[s.name].sample(s.rss_mib())
            if now >= next_report:
                next_report += 30
                lag = detector.metric("policywatch_consumer_lag", service="detector")
                print(
                    f"soak: {now - began:5.0f}s published {published}, detector lag {lag:.0f}, "
                    f"RSS detector {rss['detector'].end:.0f} MiB, "
                    f"notifier {rss['notifier'].end:.0f} MiB, "
                    f"deliveries {len(listener.deliveries)}",
                    flush=True,
                )
        producer.flush()
        elapsed = time.monotonic() - began
        alerts_expected = sum(expected.values())

        # Drain: every article consumed, every alert consumed, then the last updates sent.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            consumed = detector.metric("policywatch_messages_consumed_total")
            produced = detector.metric("policywatch_alerts_produced_total")
            notified = notifier.metric("policywatch_messages_consumed_total")
            drained = consumed >= published and produced >= alerts_expected
            if drained and notified >= produced and _corroboration(listener) == dict(expected):
                break
            time.sleep(1.0)
        for s in services:
            rss[s.name].sample(s.rss_mib())
        produced = detector.metric("policywatch_alerts_produced_total")
        dead = detector.metric("policywatch_messages_dead_lettered_total")
        notified = notifier.metric("policywatch_messages_consumed_total")
        told = _corroboration(listener)
        ids = listener.ids()
        codes = {s.name: s.stop() for s in services}
    finally:
        for s in services:
            if s.proc is not None and s.proc.poll() is None:
                s.stop()
        if producer is not None:
            producer.close()
        listener.stop()
        broker.stop()

    lost = {k: v - told.get(k, 0) for k, v in expected.items() if told.get(k, 0) != v}
    print(
        f"\npolicywatch soak: {minutes:g} min at {rate}/s ({published} articles in {elapsed:.0f} s)"
    )
    print(
        f"  alerts    expected {alerts_expected}, produced {produced:.0f}, "
        f"consumed by the notifier {notified:.0f}, articles dead-lettered {dead:.0f}"
    )
    print(f"  delivered {len(ids)} webhooks ({len(set(ids))} unique ids) for {len(told)} stories")
    for key in sorted(expected):
        print(f"    {'/'.join(key)}: {expected[key]} articles, receiver told {told.get(key, 0)}")
    for name, r in rss.items():
        print(
            f"  RSS {name:9s} {r.start:6.1f} MiB after warm-up -> {r.end:6.1f} MiB at the end "
            f"(peak {r.peak:.1f}; {r.growth:+.1%})"
        )
    print(f"  exit codes {codes}")
    failures = []
    if produced != alerts_expected or notified < produced:
        failures.append("alerts lost between detector and notifier")
    if lost:
        failures.append(f"stories missing articles: {lost}")
    if dead:
        failures.append(f"{dead:.0f} articles dead-lettered")
    failures += [
        f"{name} RSS grew {r.growth:.1%}" for name, r in rss.items() if r.growth > max_growth
    ]
    if any(code != 0 for code in codes.values()):
        failures.append(f"a service did not exit cleanly: {codes}")
    for f in failures:
        print(f"  FAIL: {f}")
    print("  OK: nothing lost, memory flat" if not failures else "")
    return 1 if failures else 0


def _corroboration(listener: WebhookListener) -> dict[GroupKey, int]:
    """Per story key, the most articles the receiver has been told about."""
    best: dict[GroupKey, int] = defaultdict(int)
    for d in listener.wait_for(0, timeout=0):
        note = d.notification()
        key = tuple(note.group.get(g, "") for g in DEFAULT_GROUP_BY)
        best[key] = max(best[key], note.corroboration)
    return dict(best)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policywatch.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=300, help="articles per second")
    parser.add_argument(
        "--positive-every", type=int, default=10, help="one article in N reports a policy shift"
    )
    parser.add_argument("--max-growth", type=float, default=0.10, help="allowed RSS growth")
    parser.add_argument("--workdir", type=Path, help="where logs go (default: a temp dir)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="policywatch-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    return run(args.minutes, args.rate, args.positive_every, args.max_growth, workdir)


if __name__ == "__main__":
    raise SystemExit(main())
