"""``make soak``: a long steady load through the detector and the notifier, checking for leaks.

    python -m tools.soak [--minutes 10] [--rate 300]

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
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from policywatch.broker import EmbeddedBroker, free_port
from policywatch.engine import Engine
from policywatch.kafka import Producer, wait_for_broker
from policywatch.models import decode_article
from policywatch.notifier.routing import alert_labels
from policywatch.notifier.webhook_listener import (
    WebhookListener,
    generate_secret,
    local_webhook_config,
)
from policywatch.settings import DetectorSettings, KafkaSettings
from policywatch.settings.notifier import DEFAULT_GROUP_BY
from tools.harness import ServiceProcess, detector_process, fresh_topics, service_env

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
MIB = 1024 * 1024


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
    secret = generate_secret()
    listener = WebhookListener(secret)
    services: list[ServiceProcess] = []
    producer: Producer | None = None
    try:
        broker.start()
        wait_for_broker(kafka, timeout=30)
        topics = fresh_topics(kafka, "soak")
        run_id = topics.articles.removeprefix("articles-")
        listener.start()
        detector = detector_process(
            kafka,
            topics,
            group=f"soak-detector-{run_id}",
            log=workdir / "detector.log",
        )
        section = local_webhook_config(listener.url, secret, name="soak")
        section["route"].update(group_wait="2s", group_interval="5s")
        notifier_port = free_port()
        section.update(
            metrics_port=notifier_port,
            metrics_host="127.0.0.1",
            group_id=f"soak-notifier-{run_id}",
        )
        notifier = ServiceProcess(
            "notifier",
            service_env(kafka, topics, notifier=section, extra={"PW_LOGGING__LEVEL": "warning"}),
            notifier_port,
            workdir / "notifier.log",
        )
        services = [detector, notifier]
        for s in services:
            s.start()
        for s in services:
            s.wait_ready(90)
        print(f"soak: broker, detector and notifier up; logs in {workdir}", flush=True)

        rss = {s.service: Rss() for s in services}
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
                    rss[s.service].start = s.rss_bytes() / MIB
            for s in services:
                rss[s.service].sample(s.rss_bytes() / MIB)
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
            rss[s.service].sample(s.rss_bytes() / MIB)
        produced = detector.metric("policywatch_alerts_produced_total")
        dead = detector.metric("policywatch_messages_dead_lettered_total")
        notified = notifier.metric("policywatch_messages_consumed_total")
        told = _corroboration(listener)
        ids = listener.ids()
        codes = {s.service: s.stop() for s in services}
    finally:
        for s in services:
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
    parser = argparse.ArgumentParser(prog="python -m tools.soak", description=__doc__)
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
