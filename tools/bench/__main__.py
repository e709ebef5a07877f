"""``python -m tools.bench [--quick] [--out bench/results.json]``: the performance benchmark.

One run starts an embedded broker on loopback, loads synthetic articles, and measures, in order:
the transport ceiling (1), the detector process end to end with 1 and 2 replicas (2), latency at
a steady 1,000 articles/s (5) and the detector's peak RSS (6); then, with the broker stopped, the
engine alone and the naive baseline at growing rule-set sizes (3, 4), and the engine on the real
articles of the labelled corpus beside the repository when it is there (``--corpus``). It prints
a table and writes every number to ``--out`` as JSON. ``--quick`` is the smoke run the test
suite uses.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policywatch.broker import EmbeddedBroker, free_port
from policywatch.kafka import wait_for_broker
from policywatch.settings import KafkaSettings
from tools.bench.corpus import CorpusGenerator
from tools.bench.endtoend import EndToEndResult, run_end_to_end
from tools.bench.engine_bench import (
    FULL_SIZES,
    QUICK_SIZES,
    measure_builtin,
    measure_english_cost,
    measure_sizes,
)
from tools.bench.latency import run_latency, run_transport_latency
from tools.bench.load import preload
from tools.bench.real_text import CORPUS_ENV, default_corpus_dir, real_text_row
from tools.bench.report import check_targets, render_table
from tools.bench.synthetic_pack import SyntheticPack
from tools.harness import fresh_topics, tools_env


def _transport(bootstrap: str, topic: str, count: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "tools.bench.transport", "--bootstrap", bootstrap]
    cmd += ["--topic", topic, "--count", str(count)]
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=tools_env(),
    )
    if out.returncode != 0:
        raise RuntimeError(f"transport bench failed ({out.returncode}): {out.stderr[-2000:]}")
    r: dict[str, Any] = json.loads(out.stdout)
    r["per_second"] = r["records"] / r["wall_seconds"]
    r["per_cpu_second"] = r["records"] / r["cpu_seconds"] if r["cpu_seconds"] else 0.0
    r["mb_per_second"] = r["bytes"] / r["total"] * r["per_second"] / 1e6
    return r


def _e2e(r: EndToEndResult) -> dict[str, Any]:
    return {
        **asdict(r),
        "per_second": r.per_second,
        "per_cpu_second": r.per_cpu_second,
        "main_thread_us": r.main_thread_us,
        "io_threads_us": r.io_threads_us,
    }


def _real_text(directory: Path, corpus: CorpusGenerator, quick: bool) -> dict[str, Any]:
    """The real-text row, on the same synthetic articles as ``engine.builtin`` for its ratio."""
    print(f"engine on real text ({directory})", file=sys.stderr)
    row = real_text_row(
        directory,
        corpus,
        synthetic_articles=200 if quick else 1_000,
        rounds=2 if quick else 10,
    )
    if "skipped" in row:
        print(f"engine on real text skipped: {row['skipped']}", file=sys.stderr)
    return row


def run(
    quick: bool, articles: int, partitions: int, workdir: Path, real_corpus: Path
) -> dict[str, Any]:
    corpus = CorpusGenerator()
    sample = [len(corpus.article(i)) for i in range(200)]
    results: dict[str, Any] = {
        "meta": {
            "quick": quick,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "articles": articles,
            "article_bytes_avg": sum(sample) / len(sample),
            "mix": asdict(corpus.mix),
            "partitions": partitions,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            # The host may be shared: a load average well above 0 before the run means the
            # numbers below were measured next to other work.
            "loadavg_before": os.getloadavg(),
        }
    }
    with EmbeddedBroker("127.0.0.1", free_port(), log_file=workdir / "broker.log") as broker:
        kafka = KafkaSettings(
            bootstrap_servers=broker.bootstrap_servers,
            max_poll_interval_ms=10_000,
            session_timeout_ms=6_000,
            heartbeat_interval_ms=1_000,
            fetch_max_wait_ms=10,
            topic_partitions=partitions,
        )
        wait_for_broker(kafka)
        topics = fresh_topics(kafka, "e2e", partitions=partitions)
        results["meta"]["preload_seconds"] = preload(kafka, topics.articles, corpus, 0, articles)
        print(f"loaded {articles:,} articles; measuring the transport ceiling", file=sys.stderr)
        results["transport"] = _transport(broker.bootstrap_servers, topics.articles, articles)
        scaling = []
        for replicas in (1,) if quick else (1, 2):
            print(f"detector end to end, {replicas} process(es)", file=sys.stderr)
            run_ = run_end_to_end(
                kafka,
                topics,
                articles=articles,
                partitions=partitions,
                replicas=replicas,
                workdir=workdir,
            )
            scaling.append(_e2e(run_))
        results["scaling"] = scaling
        if not quick:
            # The same loop with a light rule pack: how far the detector gets when the engine
            # costs what the issue assumed (~20-30 µs an article), i.e. the loop's own ceiling.
            print("detector end to end, synthetic 1,000-phrase pack", file=sys.stderr)
            light_rules = workdir / "synthetic-1000-100"
            light_rules.mkdir()
            (light_rules / "synthetic.yaml").write_text(
                SyntheticPack(phrases=1_000, rules=100).yaml_text(), encoding="utf-8"
            )
            light = run_end_to_end(
                kafka,
                topics,
                articles=articles,
                partitions=partitions,
                replicas=1,
                workdir=workdir,
                rules=light_rules,
            )
            results["detector_light_pack"] = {
                **_e2e(light),
                "ratio_to_transport": light.per_second / results["transport"]["per_second"],
            }
        results["detector"] = {
            **scaling[0],
            "ratio_to_transport": scaling[0]["per_second"] / results["transport"]["per_second"],
        }
        print("latency at a steady rate", file=sys.stderr)
        lat_topics = fresh_topics(kafka, "latency", partitions=partitions)
        latency, latency_peak = run_latency(
            kafka,
            lat_topics,
            corpus,
            rate=1_000,
            seconds=3 if quick else 20,
            start_index=articles,
            workdir=workdir,
        )
        results["latency"] = asdict(latency)
        print("transport latency at the same rate (baseline)", file=sys.stderr)
        baseline = run_transport_latency(
            kafka,
            fresh_topics(kafka, "latency-transport", partitions=partitions),
            corpus,
            rate=1_000,
            seconds=3 if quick else 20,
            start_index=articles,
        )
        results["latency_transport"] = asdict(baseline)
    results["memory"] = {
        "detector_peak_rss_bytes": scaling[0]["peak_rss_bytes"],
        "latency_run_peak_rss_bytes": latency_peak,
    }
    print("engine alone and the naive baseline", file=sys.stderr)
    budget = 0.3 if quick else 1.5
    sizes = measure_sizes(
        QUICK_SIZES if quick else FULL_SIZES,
        corpus,
        articles=100 if quick else 500,
        budget=budget,
        rounds=2 if quick else 3,
    )
    results["engine"] = {
        "builtin": measure_builtin(corpus, articles=200 if quick else 1_000, budget=budget),
        "sizes": [{**asdict(size), "ratio": size.ratio} for size in sizes],
        "multilingual": measure_english_cost(
            corpus,
            articles=200 if quick else 1_500,
            budget=budget * (2 if quick else 6),
            rounds=2 if quick else 12,
        ),
        "real_text": _real_text(real_corpus, corpus, quick),
    }
    results["targets"] = [t.as_dict() for t in check_targets(results)]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run (well under a minute)")
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    parser.add_argument("--articles", type=int, help="articles for sections 1 and 2")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=default_corpus_dir(),
        help=f"the labelled corpus for the real-text engine row (default: ${CORPUS_ENV}, else "
        "../shared/corpus beside the repository); skipped when absent",
    )
    args = parser.parse_args(argv)
    articles = args.articles or (5_000 if args.quick else 100_000)
    began = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="policywatch-bench-"))
    try:
        results = run(args.quick, articles, args.partitions, workdir, args.corpus)
    except Exception:
        print(f"policywatch bench failed; broker and detector logs in {workdir}", file=sys.stderr)
        raise
    results["meta"]["wall_seconds"] = round(time.monotonic() - began, 1)
    results["meta"]["loadavg_after"] = os.getloadavg()
    results["meta"]["logs"] = str(workdir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(render_table(results))
    print(f"\nwrote {args.out} in {results['meta']['wall_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
