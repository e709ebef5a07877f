"""Sections 3 and 4: the engine alone, and the naive baseline, at growing rule-set sizes.

No broker, no decoding: ``Engine.scan`` on already-parsed articles, in this process. Each
measurement runs for a bounded time (and a bounded count), so the slow baseline at 10,000
phrases takes seconds, not minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from policywatch.engine import Engine
from policywatch.engine.rule_language.loader import builtin_rules_dir
from policywatch.models import Article
from tools.bench.corpus import CorpusGenerator
from tools.bench.regex_baseline import RegexBaseline
from tools.bench.synthetic_pack import SyntheticPack

__all__ = ["EngineSize", "measure_builtin", "measure_english_cost", "measure_sizes", "rate"]

#: (phrases, rules): the phrase axis at up to 100 rules, then the rule axis at 1,000 phrases.
FULL_SIZES = ((10, 10), (100, 100), (1_000, 100), (10_000, 100), (1_000, 10), (1_000, 1_000))
QUICK_SIZES = ((10, 10), (1_000, 100), (1_000, 10), (1_000, 1_000))


@dataclass(frozen=True)
class EngineSize:
    phrases: int
    rules: int
    engine_phrases: int
    engine_per_second: float
    engine_alerted: int
    naive_per_second: float
    naive_alerted: int
    naive_articles: int
    articles: int

    @property
    def ratio(self) -> float:
        return self.engine_per_second / self.naive_per_second if self.naive_per_second else 0.0


def rate(
    fn: Callable[[Article], object],
    articles: Sequence[Article],
    *,
    budget: float,
    limit: int,
    minimum: int = 3,
) -> tuple[float, int]:
    """Articles per second of ``fn`` over ``articles`` (cycled) for about ``budget`` seconds."""
    for a in articles[: min(3, len(articles))]:
        fn(a)  # warm caches (lazy properties, regex cache)
    done = 0
    began = time.perf_counter()
    while done < limit:
        fn(articles[done % len(articles)])
        done += 1
        if done >= minimum and time.perf_counter() - began > budget:
            break
    return done / (time.perf_counter() - began), done


def _alerted(fn: Callable[[Article], Sequence[object]], articles: Sequence[Article]) -> int:
    return sum(1 for a in articles if fn(a))


def measure_sizes(
    sizes: Sequence[tuple[int, int]],
    corpus: CorpusGenerator,
    *,
    articles: int,
    budget: float,
    rounds: int = 3,
) -> list[EngineSize]:
    """Engine and naive rates per ``(phrases, rules)``: the best of ``rounds`` interleaved runs.

    Each round measures every size once (``budget / rounds`` seconds each side), so a burst of
    load from elsewhere on the host hits one round of each size, not one size; the best round is
    the least disturbed estimate of what the code costs (as ``timeit`` reports its minimum).
    """
    at = datetime.now(UTC)
    built = []
    for phrases, rules in sizes:
        pack = SyntheticPack(phrases=phrases, rules=rules)
        built.append((pack, Engine.from_yaml(pack.yaml_text()), RegexBaseline(pack)))
    docs = [pack.articles(corpus, articles) for pack, _, _ in built]
    best_engine = [0.0] * len(built)
    best_naive = [0.0] * len(built)
    naive_n = [0] * len(built)
    for _ in range(rounds):
        for i, (_, engine, naive) in enumerate(built):

            def scan(a: Article, engine: Engine = engine) -> object:
                return engine.scan(a, detected_at=at)

            r, _ = rate(scan, docs[i], budget=budget / rounds, limit=20 * articles)
            best_engine[i] = max(best_engine[i], r)
            r, n = rate(naive.detect, docs[i], budget=budget / rounds, limit=20 * articles)
            best_naive[i] = max(best_naive[i], r)
            naive_n[i] += n
    out = []
    for i, (pack, engine, naive) in enumerate(built):
        sample = docs[i][: min(len(docs[i]), max(naive_n[i], 50))]
        out.append(
            EngineSize(
                phrases=pack.phrases,
                rules=pack.rules,
                engine_phrases=engine.phrase_count,
                engine_per_second=best_engine[i],
                engine_alerted=sum(1 for a in sample if engine.scan(a, detected_at=at).rules_hit),
                naive_per_second=best_naive[i],
                naive_alerted=_alerted(naive.detect, sample),
                naive_articles=naive_n[i],
                articles=len(sample),
            )
        )
    return out


def measure_builtin(corpus: CorpusGenerator, *, articles: int, budget: float) -> dict[str, float]:
    """The shipped rule pack on the benchmark corpus (parse excluded, then parse included)."""
    engine = Engine.from_paths()
    raw = [corpus.article(i) for i in range(articles)]
    docs = [Article.model_validate_json(r) for r in raw]
    at = datetime.now(UTC)
    scan_rate = max(
        rate(lambda a: engine.scan(a, detected_at=at), docs, budget=budget / 3, limit=50_000)[0]
        for _ in range(3)
    )
    began = time.perf_counter()
    for r in raw:
        Article.model_validate_json(r)
    parse_us = (time.perf_counter() - began) / len(raw) * 1e6
    alerted = sum(1 for a in docs if engine.scan(a, detected_at=at).alerts)
    positives = sum(1 for i in range(articles) if corpus.kind(i) == "positive")
    return {
        "rules": engine.rule_count,
        "phrases": engine.phrase_count,
        "scan_per_second": scan_rate,
        "parse_us": parse_us,
        "articles": articles,
        "positives": positives,
        "alerted": alerted,
    }


def measure_english_cost(
    corpus: CorpusGenerator, *, articles: int, budget: float, rounds: int
) -> dict[str, float]:
    """English articles through the English pack alone and through all six packs.

    The packs for other languages must not make English detection slower (by more than 15 %).
    Interleaved rounds, best of each, as :func:`measure_sizes` does: single rounds on a shared
    2-vCPU host vary by a quarter.
    """
    english = Engine.from_paths([builtin_rules_dir() / "en"])
    every = Engine.from_paths()
    docs = [Article.model_validate_json(corpus.article(i)) for i in range(articles)]
    at = datetime.now(UTC)
    best = {"english_pack": 0.0, "all_packs": 0.0}
    for _ in range(rounds):
        for name, engine in (("english_pack", english), ("all_packs", every)):

            def scan(a: Article, engine: Engine = engine) -> object:
                return engine.scan(a, detected_at=at)

            r, _ = rate(scan, docs, budget=budget / rounds, limit=20 * articles)
            best[name] = max(best[name], r)
    return {
        "english_pack_per_second": best["english_pack"],
        "all_packs_per_second": best["all_packs"],
        "ratio": best["all_packs"] / best["english_pack"] if best["english_pack"] else 0.0,
        "english_rules": english.rule_count,
        "all_rules": every.rule_count,
    }
