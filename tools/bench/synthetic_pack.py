"""Synthetic rule packs of a given size, and articles that exercise them.

A pack of ``rules`` rules over ``phrases`` trigger phrases is written as rule YAML in the
documented format (``docs/rules.md``) and compiled by :meth:`Engine.from_yaml`, exactly as a
pack on disk would be. Phrases are made-up words (``korvelan tusimo``), so they never collide
with the filler text; each rule fires when one of its phrases and the pack's object word stand in
one sentence with a known state, unless a negation cue precedes the phrase.

Articles are the benchmark corpus with one sentence injected: a *positive* (actor, phrase,
object), a *near miss* (negated, or the phrase without its object: the rule wakes and fails),
or nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property

import yaml

from policywatch.models import EVENT_TYPES, Article
from tools.bench.corpus import CorpusGenerator

__all__ = ["SyntheticPack"]

_SYLLABLES = (
    "kor", "vel", "tan", "mis", "dru", "pel", "zan", "qui", "bor", "lem", "fas", "gri",
    "hol", "jun", "nex", "ost", "rav", "sil", "tuv", "wam", "yel", "zor", "bex", "cal",
)  # fmt: skip
ENTITIES = {
    "US": ("United States", ["United States", "Washington", "=US"]),
    "DE": ("Germany", ["Germany", "Berlin"]),
    "GB": ("United Kingdom", ["United Kingdom", "London", "Britain"]),
    "FR": ("France", ["France", "Paris"]),
    "EU": ("European Union", ["European Union", "Brussels"]),
}
OBJECTS = ("blorvane", "sketrum", "quandelix", "frimbosa", "trelquin")
NEGATIONS = ("not", "never", "denied", "refused to")


def pseudo_words(count: int, seed: int) -> list[str]:
    """``count`` distinct made-up words of three or four syllables."""
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    while len(seen) < count:
        n = rng.choice((3, 3, 4))
        seen.setdefault("".join(rng.choice(_SYLLABLES) for _ in range(n)), None)
    return list(seen)


@dataclass(frozen=True)
class SyntheticPack:
    """``phrases`` trigger phrases spread over ``rules`` rules (at least one phrase each)."""

    phrases: int
    rules: int
    seed: int = 61

    @cached_property
    def rule_phrases(self) -> list[list[str]]:
        """The trigger phrases of each rule."""
        words = pseudo_words(max(64, self.phrases), self.seed)
        rng = random.Random(self.seed)
        out: dict[str, None] = {}
        while len(out) < self.phrases:
            out.setdefault(" ".join(rng.sample(words, rng.choice((1, 2, 2, 3)))), None)
        flat = list(out)
        return [flat[i :: self.rules] for i in range(self.rules)]

    def yaml_text(self) -> str:
        doc = {
            "language": "en",
            "description": f"synthetic: {self.phrases} phrases, {self.rules} rules",
            "entities": {
                code: {"name": name, "terms": terms} for code, (name, terms) in ENTITIES.items()
            },
            "cues": {"negation": {"effect": "veto", "before": 4, "terms": list(NEGATIONS)}},
            "lists": {
                "objects": {"inflect": False, "terms": list(OBJECTS)},
                **{
                    f"trigger_{i}": {"inflect": False, "terms": terms}
                    for i, terms in enumerate(self.rule_phrases)
                },
            },
            "rules": [
                {
                    "id": f"synthetic-{i:05d}",
                    "version": 1,
                    "event_type": EVENT_TYPES[i % len(EVENT_TYPES)],
                    "description": "synthetic benchmark rule",
                    "trigger": [f"$trigger_{i}"],
                    "scope": "sentence",
                    "when": "$objects",
                }
                for i in range(self.rules)
            ],
        }
        return str(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))

    def articles(self, corpus: CorpusGenerator, count: int) -> list[Article]:
        """Corpus articles with one positive (10%) or near-miss (20%) sentence injected."""
        flat = [p for ps in self.rule_phrases for p in ps]
        out: list[Article] = []
        for i in range(count):
            rng = random.Random(f"{self.seed}:{i}")
            base = Article.model_validate_json(corpus.article(i))
            kind = corpus.kind(i)
            if kind == "filler":
                out.append(base)
                continue
            actor = rng.choice([t for _, terms in ENTITIES.values() for t in terms if t[0] != "="])
            phrase, obj = rng.choice(flat), rng.choice(OBJECTS)
            if kind == "positive":
                sentence = f"{actor} decided to {phrase} the {obj} on Monday, officials said."
            elif rng.random() < 0.5:
                sentence = f"{actor} did not {phrase} the {obj}, a spokesperson insisted."
            else:
                sentence = f"Critics say {actor} may {phrase} at some point next year."
            paragraphs = base.body.split("\n")
            at = rng.randrange(len(paragraphs))
            paragraphs[at] = f"{sentence} {paragraphs[at]}"
            out.append(base.model_copy(update={"body": "\n".join(paragraphs)}))
        return out
