"""Synthetic rule sets and articles of any size (10 to 10,000 phrases), for engine tests.

Words are made-up syllable strings, so synthetic phrases never collide with real vocabulary;
``hit_words`` lets an article contain some of them on purpose.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from policywatch.engine.rule_language.spec import EntitySpec, ListSpec, RuleFile, RuleSpec
from policywatch.models import EVENT_TYPES

__all__ = ["synthetic_article_text", "synthetic_rule_files", "synthetic_vocabulary"]

_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def synthetic_vocabulary(size: int, *, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) + "x")
    return sorted(words)


def synthetic_rule_files(n_rules: int, n_phrases: int, *, seed: int = 0) -> list[RuleFile]:
    """``n_rules`` rules sharing ``n_phrases`` phrases (1-3 words) split over their triggers."""
    rng = random.Random(seed)
    vocab = synthetic_vocabulary(max(50, n_phrases), seed=seed)
    phrases = sorted(
        {" ".join(rng.sample(vocab, rng.randint(1, 3))) for _ in range(n_phrases * 2)}
    )[:n_phrases]
    rng.shuffle(phrases)
    per_rule = max(1, len(phrases) // max(1, n_rules))
    lists: dict[str, ListSpec | list[str]] = {}
    rules: list[RuleSpec] = []
    for i in range(n_rules):
        chunk = phrases[(i * per_rule) % len(phrases) :][:per_rule] or phrases[:1]
        lists[f"trigger_{i}"] = ListSpec(terms=chunk, inflect=False)
        rules.append(
            RuleSpec.model_validate(
                {
                    "id": f"synthetic.rule_{i}",
                    "version": 1,
                    "event_type": EVENT_TYPES[i % len(EVENT_TYPES)],
                    "description": "synthetic",
                    "trigger": [f"$trigger_{i}"],
                    "scope": "sentence",
                }
            )
        )
    entities = {"US": EntitySpec(name="United States", terms=["Washington", "=US"])}
    return [RuleFile(language="en", lists=lists, entities=entities, rules=rules)]


def synthetic_article_text(
    size: int,
    *,
    hit_words: Sequence[str] = (),
    seed: int = 0,
) -> str:
    """About ``size`` characters of English-like filler, with ``hit_words`` sprinkled in."""
    rng = random.Random(seed)
    filler = [
        "the",
        "government",
        "said",
        "on",
        "monday",
        "that",
        "officials",
        "would",
        "meet",
        "again",
        "next",
        "week",
        "to",
        "discuss",
        "the",
        "budget",
        "and",
        "the",
        "economy",
        "while",
        "markets",
        "stayed",
        "calm",
        "and",
        "analysts",
        "expected",
        "little",
        "change",
        "in",
        "policy",
        "before",
        "the",
        "summer",
    ]
    out: list[str] = []
    length = 0
    while length < size:
        sentence = [rng.choice(filler) for _ in range(rng.randint(8, 20))]
        if hit_words and rng.random() < 0.3:
            sentence.insert(rng.randrange(len(sentence)), rng.choice(hit_words))
            sentence.insert(0, "Washington")
        text = " ".join(sentence).capitalize() + ". "
        out.append(text)
        length += len(text)
    return "".join(out)[:size]
