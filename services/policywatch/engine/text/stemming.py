"""Stem-prefix terms for heavily inflecting languages, derived when the pack is compiled.

German, French, Spanish and Russian terms are stemmed with the Snowball stemmers; Ukrainian,
which Snowball lacks, strips the longest common ending from a short table. The stem becomes a
*prefix* pattern: "ракета" compiles to `` ракет`` and matches ракета, ракети, ракет, ракетами...
up to the end of the word. The article text is never stemmed, so there is still one automaton
and one pass per article, and English articles pay nothing.

A stem shorter than :data:`MIN_STEM` letters would match too many words ("не", "lev"), so such
words match exactly as written; the rule writer can still write ``lev*`` on purpose. In a
phrase only the last word becomes a prefix ("Sanktionen gegen" stays exact; "neue Sanktion"
matches "neue Sanktionen"): the automaton cannot leave a gap inside a pattern.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]  # no stubs or py.typed

from policywatch.engine.text.normalize import words_of

__all__ = ["MIN_STEM", "STEMMED_LANGUAGES", "has_stemmer", "stem_word"]

#: Shortest stem that becomes a prefix pattern.
MIN_STEM = 4

_SNOWBALL = {"de": "german", "fr": "french", "es": "spanish", "ru": "russian"}

#: Ukrainian endings (nouns, adjectives, verbs, participles), longest first when stripping.
_UK_ENDINGS = (
    *("ються", "ється", "ювати", "увати", "ування", "ання", "ення", "іння", "аний", "ений"),
    *("ість", "ості", "ого", "ому", "ими", "ами", "ями", "ові", "еві", "ати", "яти", "іти"),
    *("ити", "ила", "ило", "или", "ала", "али", "ало", "ена", "ені", "ено", "ана", "ані"),
    *("ано", "ів", "їв", "ою", "ею", "ам", "ям", "ах", "ях", "ий", "ій", "ої", "ом", "ем"),
    *("ми", "ла", "ло", "ли", "на", "ні", "но", "ть", "ся"),
    *("а", "я", "о", "е", "и", "і", "ї", "у", "ю", "ь"),
)

STEMMED_LANGUAGES = frozenset([*_SNOWBALL, "uk"])


def has_stemmer(language: str) -> bool:
    return language in STEMMED_LANGUAGES


@cache
def _snowball(language: str) -> Any:
    return snowballstemmer.stemmer(_SNOWBALL[language])


@cache
def _uk_endings() -> tuple[str, ...]:
    folded = {" ".join(words_of(e)) for e in _UK_ENDINGS}
    return tuple(sorted(folded, key=len, reverse=True))


def _uk_stem(word: str) -> str:
    for ending in _uk_endings():
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def stem_word(word: str, language: str) -> str | None:
    """The normalised prefix for one word (casefolded, accents kept), or None to match exactly.

    The stem is computed on the word as written (Snowball reads "ä", "й"), then normalised like
    the text, so it is a prefix of every normalised form that shares it.
    """
    if language in _SNOWBALL:
        raw = str(_snowball(language).stemWord(word))
        if language == "fr" and raw.endswith("r") and word.endswith(("re", "ir")):
            raw = raw[:-1]  # Snowball keeps the r of "suspendre": "suspendr" misses "suspend"
        folded = words_of(raw)
        stem = folded[0] if len(folded) == 1 else ""
    elif language == "uk":
        folded = words_of(word)
        stem = _uk_stem(folded[0]) if len(folded) == 1 else ""
    else:
        return None
    full = words_of(word)
    if len(full) != 1:
        return None
    if not full[0].startswith(stem):  # Snowball writes ß as ss: "beschließen" → "beschliess"
        stem = _common_prefix(stem.replace("ss", "ß"), full[0])
    return stem if len(stem) >= MIN_STEM else None
