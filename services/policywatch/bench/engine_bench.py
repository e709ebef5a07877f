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

from policywatch.bench.corpus import CorpusGenerator
from policywatch.bench.naive import NaiveMatcher
from policywatch.bench.synthetic import SyntheticPack
from policywatch.engine import Engine
from policywatch.models import Article

__all__ = ["EngineSize", "measure_builtin", "measure_size", "rate"]

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


def measure_size(
    phrases: int,
    rules: int,
    corpus: CorpusGenerator,
    *,
    articles: int,
    budget: float,
) -> EngineSize:
    pack = SyntheticPack(phrases=phrases, rules=rules)
    engine = Engine.from_yaml(pack.yaml_text())
    naive = NaiveMatcher(pack)
    docs = pack.articles(corpus, articles)
    at = datetime.now(UTC)

    def scan(a: Article) -> object:
        return engine.scan(a, detected_at=at)

    engine_rate, _ = rate(scan, docs, budget=budget, limit=20 * articles)
    naive_rate, naive_n = rate(naive.detect, docs, budget=budget, limit=20 * articles)
    sample = docs[: min(len(docs), max(naive_n, 50))]
    return EngineSize(
        phrases=phrases,
        rules=rules,
        engine_phrases=engine.phrase_count,
        engine_per_second=engine_rate,
        engine_alerted=_alerted(lambda a: engine.scan(a, detected_at=at).rules_hit, sample),
        naive_per_second=naive_rate,
        naive_alerted=_alerted(naive.detect, sample),
        naive_articles=naive_n,
        articles=len(sample),
    )


def measure_builtin(corpus: CorpusGenerator, *, articles: int, budget: float) -> dict[str, float]:
    """The shipped rule pack on the benchmark corpus (parse excluded, then parse included)."""
    engine = Engine.from_paths()
    raw = [corpus.article(i) for i in range(articles)]
    docs = [Article.model_validate_json(r) for r in raw]
    at = datetime.now(UTC)
    scan_rate, _ = rate(lambda a: engine.scan(a, detected_at=at), docs, budget=budget, limit=50_000)
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
