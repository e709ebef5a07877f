"""Section 3 on real text: the shipped pack's ``Engine.scan`` over the labelled corpus.

The synthetic corpus rarely gets past the trigger pre-filter into rule evaluation, where real
news spends most of its time, so on its own it under-states what the engine costs. This row
scans the articles of ``real.jsonl`` and ``ordinary.jsonl`` and sets their cost beside the
synthetic articles' in the same rounds, as a ratio. The corpus lives beside the repository, never
inside it (its texts belong to their outlets): where it is absent, as in a fresh clone, the row is
skipped with a one-line note and the rest of the benchmark runs unchanged.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policywatch.engine import Engine
from policywatch.models import Article, ArticleDecodeError
from policywatch.quality.scoring import parse_labelled
from tools.bench.corpus import CorpusGenerator
from tools.harness import ROOT

__all__ = [
    "CORPUS_ENV",
    "CORPUS_FILES",
    "RealTextCost",
    "default_corpus_dir",
    "load_articles",
    "measure_real_text",
    "real_text_row",
]

#: Points the row at another copy of the labelled corpus (``--corpus`` overrides it).
CORPUS_ENV = "PW_BENCH_CORPUS"
#: Events and hard negatives, then ordinary news: together, the mix the detector meets.
CORPUS_FILES = ("real.jsonl", "ordinary.jsonl")
#: Read only by articles without a publication date; fixed so every run scans the same input.
DETECTED_AT = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RealTextCost:
    articles: int
    alerted: int
    rules: int
    phrases: int
    rounds: int
    real_us: float
    synthetic_articles: int
    synthetic_us: float

    @property
    def ratio(self) -> float:
        """How many synthetic articles' worth of CPU one real article costs."""
        return self.real_us / self.synthetic_us if self.synthetic_us else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def default_corpus_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$PW_BENCH_CORPUS``, else ``../shared/corpus`` beside the repository (where ``make eval``
    looks too), found from this file so the bench runs the same from any working directory."""
    given = environ.get(CORPUS_ENV)
    return Path(given) if given else ROOT.parent / "shared" / "corpus"


def _missing(directory: Path) -> str | None:
    """Why the row cannot run, in one line, or ``None``."""
    if not directory.is_dir():
        return f"{directory} not found (set {CORPUS_ENV}=DIR or --corpus DIR)"
    absent = [name for name in CORPUS_FILES if not (directory / name).is_file()]
    return f"no {', '.join(absent)} in {directory}" if absent else None


def load_articles(directory: Path) -> tuple[list[Article], int]:
    """The corpus's articles, read as ``policywatch eval`` reads them (labels dropped), and the
    number of lines that did not decode: those are skipped, as eval skips them, not fatal."""
    articles: list[Article] = []
    bad = 0
    for name in CORPUS_FILES:
        with (directory / name).open("rb") as f:
            for raw in f:
                if not raw.strip():
                    continue
                try:
                    articles.append(parse_labelled(raw).article)
                except ArticleDecodeError:
                    bad += 1
    return articles, bad


def _cpu_us(scan: Callable[[Article], object], docs: Sequence[Article]) -> float:
    """CPU µs per article of one pass: this thread's CPU, so neither another process on the
    host nor a thread left over from the broker sections is counted."""
    began = time.thread_time()
    for a in docs:
        scan(a)
    return (time.thread_time() - began) / len(docs) * 1e6


def measure_real_text(
    real: Sequence[Article],
    synthetic: CorpusGenerator,
    *,
    synthetic_articles: int,
    rounds: int,
) -> RealTextCost:
    """Real and synthetic articles through the shipped pack: the best of ``rounds`` rounds.

    Each round is one pass over each corpus, back to back, so a burst of load from elsewhere on
    the host hits both sides of the ratio rather than one; the synthetic side is the articles
    ``engine.builtin`` scans, timed here the same way as the real ones.
    """
    engine = Engine.from_paths([])
    fake = [Article.model_validate_json(synthetic.article(i)) for i in range(synthetic_articles)]

    def scan(a: Article) -> object:
        return engine.scan(a, detected_at=DETECTED_AT)

    # One untimed pass, so no round pays for warming caches (lazy properties, regex cache).
    alerted = sum(1 for a in real if engine.scan(a, detected_at=DETECTED_AT).alerts)
    for a in fake:
        scan(a)
    best_real = best_fake = float("inf")
    for _ in range(rounds):
        best_real = min(best_real, _cpu_us(scan, real))
        best_fake = min(best_fake, _cpu_us(scan, fake))
    return RealTextCost(
        articles=len(real),
        alerted=alerted,
        rules=engine.rule_count,
        phrases=engine.phrase_count,
        rounds=rounds,
        real_us=best_real,
        synthetic_articles=len(fake),
        synthetic_us=best_fake,
    )


def real_text_row(
    directory: Path,
    synthetic: CorpusGenerator,
    *,
    synthetic_articles: int,
    rounds: int,
) -> dict[str, Any]:
    """The row for ``results.json``: the measurement, or ``skipped`` with the reason, so a run
    without the corpus says so in its results rather than leaving the reader to guess."""
    if note := _missing(directory):
        return {"corpus": str(directory), "skipped": note}
    real, bad = load_articles(directory)
    if not real:
        return {"corpus": str(directory), "skipped": f"no article decoded in {directory}"}
    cost = measure_real_text(real, synthetic, synthetic_articles=synthetic_articles, rounds=rounds)
    return {"corpus": str(directory), "bad_lines": bad, **cost.as_dict()}
