"""Synthetic news articles for the benchmark: generated text, never an outlet's sentences.

An article is ~3 KB of filler sentences about budgets, weather, sport and trade; a controlled
share carries one *positive* sentence (a policy shift the built-in rule pack should alert on)
and another share one *near miss* (the same trigger words, negated, hedged, reported as a demand
or used in another sense), so the engine does the work of rejecting them. Everything is a pure
function of ``(seed, index)``: the same call gives the same bytes, and nothing is kept in memory.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

__all__ = ["ArticleMix", "CorpusGenerator"]

_SUBJECTS = (
    "The regional council",
    "A spokesperson for the port authority",
    "The national statistics office",
    "Local farmers",
    "The central bank",
    "Researchers at the university",
    "The transport ministry",
    "Shop owners in the old town",
    "The weather service",
    "Organisers of the festival",
    "The football association",
    "A committee of engineers",
)
_VERBS = (
    "published figures showing",
    "said on Tuesday that",
    "reported that",
    "warned that",
    "estimated that",
    "announced that",
    "told reporters that",
    "confirmed that",
)
_CLAUSES = (
    "rainfall in the northern districts was twice the seasonal average",
    "the new bridge would open to traffic before the end of the year",
    "ticket sales for the autumn concerts had exceeded expectations",
    "wheat prices rose for the third consecutive month",
    "the library renovation was running slightly over budget",
    "container traffic through the harbour fell by four percent",
    "the hospital expansion would add two hundred beds",
    "household energy bills were expected to ease in the spring",
    "the rail timetable would change on the first of the month",
    "the municipal pool would reopen after repairs to its roof",
    "exports of machine parts grew faster than imports",
    "unemployment in the coastal towns fell slightly",
    "the cycling race would pass through the valley on Sunday",
    "the museum had received a collection of medieval coins",
    "consumer confidence improved for the second quarter",
    "the new school year would start a week later than usual",
)
_TAILS = (
    "",
    " according to a statement released in the afternoon",
    " although several members of the opposition disagreed",
    " citing data gathered over the past twelve months",
    " in a report that runs to more than eighty pages",
    " after a meeting that lasted most of the day",
)
_TITLES = (
    "Council reviews spending plans",
    "Harbour traffic slows in the autumn",
    "Farmers count the cost of a wet summer",
    "New timetable for regional trains",
    "Museum opens its winter exhibition",
    "Markets steady ahead of the holidays",
)

_ACTORS = (
    ("The United States", "Washington"),
    ("Germany", "Berlin"),
    ("The United Kingdom", "London"),
    ("France", "Paris"),
    ("The European Union", "Brussels"),
)
_TARGETS = ("Ukraine", "Russia", "Iran", "North Korea", "Belarus")
_POSITIVE = (
    "{actor} has decided to allow {target} to use long-range ATACMS missiles against military "
    "targets inside Russia, officials said on Tuesday.",
    "{actor} imposed new sanctions on {target}'s largest banks and energy companies on Monday.",
    "{actor} approved the delivery of air defence systems and artillery shells to {target}.",
    "{actor} suspended all military aid to {target} with immediate effect, the government said.",
    "{actor} lifted its ban on exports of advanced microchips to {target} on Friday.",
    "{actor} announced a full arms embargo on {target}, effective next week.",
)
_NEAR_MISS = (
    "{actor} has not decided whether to allow {target} to use long-range missiles, officials said.",
    "Opposition politicians urged {actor} to impose sanctions on {target}, but no decision was "
    "taken.",
    "{actor} could approve further deliveries to {target} later this year, an analyst speculated.",
    "{actor} denied reports that it had suspended aid to {target}.",
    "The weightlifter lifted a record weight in {target2} and the crowd cheered the ban on noise.",
    "The football league imposed sanctions on the club after its supporters threw flares.",
)


@dataclass(frozen=True)
class ArticleMix:
    """Shares of articles carrying a positive sentence and a near-miss sentence."""

    positive: float = 0.10
    near_miss: float = 0.20
    size_bytes: int = 3_000


class CorpusGenerator:
    """``article(i)`` is the JSON bytes of synthetic article ``i``; ``kind(i)`` what it carries."""

    def __init__(self, *, seed: int = 6, mix: ArticleMix | None = None, run: str = "bench") -> None:
        self.seed = seed
        self.mix = mix or ArticleMix()
        self.run = run

    @cached_property
    def _filler(self) -> tuple[str, ...]:
        rng = random.Random(self.seed)
        pool = {
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_CLAUSES)}"
            f"{rng.choice(_TAILS)}."
            for _ in range(3_000)
        }
        return tuple(sorted(pool))

    def kind(self, index: int) -> str:
        """``positive``, ``near_miss`` or ``filler``: what article ``index`` carries."""
        u = random.Random(f"{self.seed}:{index}:kind").random()
        if u < self.mix.positive:
            return "positive"
        if u < self.mix.positive + self.mix.near_miss:
            return "near_miss"
        return "filler"

    def body(self, index: int) -> str:
        rng = random.Random(f"{self.seed}:{index}")
        sentences: list[str] = []
        size = 0
        filler = self._filler
        while size < self.mix.size_bytes - 300:
            s = filler[rng.randrange(len(filler))]
            sentences.append(s)
            size += len(s) + 1
        kind = self.kind(index)
        if kind != "filler":
            actor, capital = rng.choice(_ACTORS)
            template = rng.choice(_POSITIVE if kind == "positive" else _NEAR_MISS)
            targets = [t for t in _TARGETS if t != actor]
            special = template.format(
                actor=rng.choice((actor, capital)),
                target=rng.choice(targets),
                target2=rng.choice(targets),
            )
            # A positive sits in the lead, where news tells its news (the engine passes over a
            # decision told once past it); a near miss may stand anywhere.
            reach = 3 if kind == "positive" else len(sentences)
            sentences.insert(rng.randrange(1, max(reach, 2)), special)
        # Paragraphs of four sentences, as feeds deliver them.
        return "\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))

    def article_id(self, index: int) -> str:
        return f"{self.run}-{index:08d}"

    def record(self, index: int) -> dict[str, object]:
        rng = random.Random(f"{self.seed}:{index}:meta")
        return {
            "id": self.article_id(index),
            "url": f"https://news.example.org/{self.run}/{index}",
            "source": f"Example Wire {index % 7}",
            "published_at": f"2026-11-{1 + index % 28:02d}T{index % 24:02d}:00:00Z",
            "language": "en",
            "title": rng.choice(_TITLES),
            "body": self.body(index),
        }

    def article(self, index: int) -> bytes:
        return json.dumps(self.record(index), ensure_ascii=False).encode()

    def articles(self, start: int, count: int) -> Iterator[bytes]:
        for i in range(start, start + count):
            yield self.article(i)
