"""The performance targets, checked against one run's results, and the printed table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Target", "check_targets", "render_table"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    op: str  # ">=" or "<"
    limit: float
    unit: str

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.op == ">=" else self.value < self.limit

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": round(self.value, 3),
            "op": self.op,
            "limit": self.limit,
            "unit": self.unit,
            "met": self.met,
        }


def _size(results: dict[str, Any], phrases: int, rules: int) -> dict[str, Any] | None:
    for row in results["engine"]["sizes"]:
        if row["phrases"] == phrases and row["rules"] == rules:
            return dict(row)
    return None


def check_targets(results: dict[str, Any]) -> list[Target]:
    out: list[Target] = []
    transport, detector = results.get("transport"), results.get("detector")
    if transport and detector:
        out.append(
            Target(
                "detector / bare consume",
                detector["per_second"] / transport["per_second"],
                ">=",
                0.40,
                "ratio",
            )
        )
    if "engine" in results:
        mid, few, many = (_size(results, 1_000, r) for r in (100, 10, 1_000))
        if mid:
            out.append(
                Target(
                    "engine @1,000 phrases/100 rules", mid["engine_per_second"], ">=", 20_000, "/s"
                )
            )
            out.append(Target("engine / naive @1,000/100", mid["ratio"], ">=", 200, "x"))
        if few and many:
            slowdown = few["engine_per_second"] / many["engine_per_second"]
            out.append(Target("engine slowdown 10 → 1,000 rules", slowdown, "<", 1.5, "x"))
        if multi := results["engine"].get("multilingual"):
            # the other languages' packs may cost English detection at most 15 %
            out.append(Target("English: all packs / English pack", multi["ratio"], ">=", 0.85, "x"))
    if "latency" in results:
        out.append(
            Target("p99 produce → alert @1,000/s", results["latency"]["p99_ms"], "<", 50, "ms")
        )
    if "memory" in results:
        out.append(
            Target(
                "detector peak RSS (default pack)",
                results["memory"]["detector_peak_rss_bytes"] / MB,
                "<",
                200,
                "MB",
            )
        )
    return out


def _rate(value: float) -> str:
    return f"{value:,.0f}/s"


def _real_text_line(real: dict[str, Any]) -> str:
    label = "3 engine, real text (shared corpus)"
    if note := real.get("skipped"):
        return f"{label:<44} {'skipped':>14} {'':>12}  {note}"
    return (
        f"{label:<44} {real['real_us']:>11,.0f} µs {'':>12}  CPU per article, "
        f"{real['ratio']:.1f}x the synthetic {real['synthetic_us']:.0f} µs; {real['articles']} "
        f"articles, {real['alerted']} alerted; best of {real['rounds']}"
    )


def render_table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    meta = results["meta"]
    add(
        f"policywatch bench ({'quick' if meta['quick'] else 'full'}): {meta['articles']:,} "
        f"articles of ~{meta['article_bytes_avg']:,.0f} B, {meta['partitions']} partitions, "
        f"{meta['cpus']} CPUs"
    )
    add("")
    add(f"{'section':<44} {'value':>14} {'per CPU-s':>12}  note")
    add("-" * 100)
    if t := results.get("transport"):
        add(
            f"{'1 transport: bare kafka-python consume':<44} {_rate(t['per_second']):>14} "
            f"{_rate(t['per_cpu_second']):>12}  {t['mb_per_second']:.0f} MB/s"
        )
    for run in results.get("scaling", []):
        label = f"2 detector end to end, {run['replicas']} process(es)"
        add(
            f"{label:<44} {_rate(run['per_second']):>14} {_rate(run['per_cpu_second']):>12}  "
            f"{run['alerts']:,} alerts, {run['dead_lettered']} dead-lettered; CPU per article: "
            f"main thread {run['main_thread_us']:.0f} µs, I/O threads {run['io_threads_us']:.0f} µs"
        )
    if light := results.get("detector_light_pack"):
        add(
            f"{'2 detector, synthetic 1,000-phrase pack':<44} {_rate(light['per_second']):>14} "
            f"{_rate(light['per_cpu_second']):>12}  the loop without the shipped pack's cost: "
            f"{light['ratio_to_transport']:.2f} of 1"
        )
    if e := results.get("engine"):
        b = e["builtin"]
        add(
            f"{'3 engine, built-in pack':<44} {_rate(b['scan_per_second']):>14} {'':>12}  "
            f"{b['rules']} rules, {b['phrases']} phrases; parse {b['parse_us']:.1f} µs"
        )
        if m := e.get("multilingual"):
            add(
                f"{'3 engine, English articles, all 6 packs':<44} "
                f"{_rate(m['all_packs_per_second']):>14} {'':>12}  "
                f"English pack alone {_rate(m['english_pack_per_second'])}, {m['ratio']:.2f} of it"
            )
        if real := e.get("real_text"):
            add(_real_text_line(real))
        for row in e["sizes"]:
            label = f"3/4 engine vs naive, {row['phrases']:,} phr / {row['rules']:,} rules"
            add(
                f"{label:<44} {_rate(row['engine_per_second']):>14} {'':>12}  "
                f"naive {_rate(row['naive_per_second'])}, {row['ratio']:,.0f}x"
            )
    if lat := results.get("latency"):
        add(
            f"{'5 produce → alert @' + format(lat['target_rate'], ',.0f') + '/s, p50 / p99':<44} "
            f"{lat['p50_ms']:>6.1f} / {lat['p99_ms']:>4.1f} ms {'':>12} "
            f"{lat['alerted_articles']} alerts, achieved {lat['achieved_rate']:,.0f}/s, "
            f"detector CPU {lat['detector_cpu_share']:.0%}"
        )
        add(
            f"{'  worst per second (ms)':<44} "
            + " ".join(f"{v:.0f}" for v in lat["per_second_max_ms"][:30])
        )
    if base := results.get("latency_transport"):
        add(
            f"{'5 transport alone @' + format(base['target_rate'], ',.0f') + '/s, p50 / p99':<44} "
            f"{base['p50_ms']:>6.1f} / {base['p99_ms']:>4.1f} ms {'':>12} "
            f"bare consumer, fetch_max_wait {base['fetch_max_wait_ms']} ms, "
            f"{base['received']:,} articles: one of the alert's two hops"
        )
        add(
            f"{'  worst per second (ms)':<44} "
            + " ".join(f"{v:.0f}" for v in base["per_second_max_ms"][:30])
        )
    if mem := results.get("memory"):
        add(f"{'6 detector peak RSS (VmHWM)':<44} {mem['detector_peak_rss_bytes'] / MB:>11.0f} MB")
    add("")
    add("targets")
    for t in results.get("targets", []):
        add(
            f"  {'met    ' if t['met'] else 'NOT MET'}  {t['name']:<36} {t['value']:>12,.2f} "
            f"{t['unit']:<5} (target {t['op']} {t['limit']:,})"
        )
    return "\n".join(lines)
