"""``python -m tools.bench --quick`` runs and writes the results JSON.

Only that it runs and what shape it writes: the numbers are the benchmark's business, never a
timed assertion here. It starts its own broker and detector processes, like ``make bench``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.harness import ROOT, tools_env

pytestmark = [pytest.mark.slow, pytest.mark.kafka]

SECTIONS = {
    "meta",
    "transport",
    "detector",
    "scaling",
    "engine",
    "latency",
    "latency_transport",
    "memory",
    "targets",
}


def test_quick_bench_runs_and_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tools.bench", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,
        env=tools_env(),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results.keys() >= SECTIONS
    assert results["meta"]["quick"] is True
    assert results["transport"]["per_second"] > 0
    assert results["detector"]["timed_articles"] > 0
    assert isinstance(results["latency"]["p99_ms"], float)
    baseline = results["latency_transport"]
    assert baseline["articles"] > 0 and baseline["received"] == baseline["articles"]
    assert results["memory"]["detector_peak_rss_bytes"] > 0
    sizes = {(row["phrases"], row["rules"]) for row in results["engine"]["sizes"]}
    assert {(1_000, 10), (1_000, 100), (1_000, 1_000)} <= sizes
    multilingual = results["engine"]["multilingual"]
    assert multilingual["all_rules"] > multilingual["english_rules"] > 0
    assert multilingual["english_pack_per_second"] > 0 and multilingual["all_packs_per_second"] > 0
    # measured when the shared corpus is beside the repository, a skip note when it is not
    assert "real_us" in results["engine"]["real_text"] or results["engine"]["real_text"]["skipped"]
    assert {t["name"] for t in results["targets"]} and all(
        isinstance(t["met"], bool) for t in results["targets"]
    )
    assert "targets" in proc.stdout
