"""Inflection: the word forms a term also matches, generated when the pack is compiled.

A rule writes the base form ("lift", "licence", "sanction") and matches "lifts", "lifted",
"lifting", "licences", "sanctioned"... The text is never stemmed: the automaton simply holds
every form, so scanning costs the same. Over-generated forms ("liftes") are harmless: they
never occur in news text.

Inflectors are per language. Languages that inflect too much for a form list (de, fr, es, ru,
uk) compile each term to one stem-prefix pattern instead (:mod:`policywatch.engine.text.stemming`);
any other language matches terms exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

from policywatch.engine.text.normalize import fold_char
from policywatch.engine.text.stemming import has_stemmer, stem_word

__all__ = ["MAX_VARIANTS", "inflect_phrase", "inflector_for", "phrase_forms"]

#: A phrase expands to at most this many forms; longer phrases only inflect their ends.
MAX_VARIANTS = 64

_VOWELS = frozenset("aeiou")

_EN_FIXED = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "at",
        "to",
        "for",
        "from",
        "with",
        "by",
        "and",
        "or",
        "as",
        "its",
        "their",
        "his",
        "her",
        "this",
        "that",
        "these",
        "those",
        "no",
        "not",
        "any",
        "all",
        "into",
        "onto",
        "over",
        "under",
        "against",
        "about",
        "than",
    ]
)

_EN_IRREGULAR: dict[str, tuple[str, ...]] = {
    "give": ("gave", "given"),
    "take": ("took", "taken"),
    "send": ("sent",),
    "hold": ("held",),
    "withhold": ("withheld",),
    "uphold": ("upheld",),
    "freeze": ("froze", "frozen"),
    "unfreeze": ("unfroze", "unfrozen"),
    "lay": ("laid",),
    "make": ("made",),
    "begin": ("began", "begun"),
    "withdraw": ("withdrew", "withdrawn"),
    "bring": ("brought",),
    "sell": ("sold",),
    "write": ("wrote", "written"),
    "keep": ("kept",),
    "draw": ("drew", "drawn"),
    "say": ("said",),
    "tell": ("told",),
    "seek": ("sought",),
    "strike": ("struck", "stricken"),
    "forbid": ("forbade", "forbidden"),
    "undo": ("undid", "undone"),
    "overturn": (),
    "win": ("won",),
    "rise": ("rose", "risen"),
    "fly": ("flew", "flown"),
    "break": ("broke", "broken"),
    "choose": ("chose", "chosen"),
    "cut": (),
    "put": (),
    "set": (),
    "let": (),
    "shut": (),
    "deal": ("dealt",),
    "pay": ("paid",),
    "lead": ("led",),
    "go": ("went", "gone"),
    "see": ("saw", "seen"),
    "think": ("thought",),
    "buy": ("bought",),
    "stand": ("stood",),
    "do": ("did", "done", "does"),
    "have": ("has", "had", "having"),
    "be": ("is", "are", "was", "were", "been", "being"),
}


def _en_regular(word: str) -> set[str]:
    forms = {word, word + "s", word + "es", word + "ed", word + "ing"}
    forms.update(_EN_IRREGULAR.get(word, ()))
    last, before = word[-1], word[-2]
    if last == "e":
        forms.update({word + "d", word[:-1] + "ing"})
    if last == "y" and before not in _VOWELS:
        forms.update({word[:-1] + "ies", word[:-1] + "ied"})
    if (
        len(word) >= 3
        and last not in _VOWELS
        and last not in "wxy"
        and before in _VOWELS
        and word[-3] not in _VOWELS
    ):
        forms.update({word + last + "ed", word + last + "ing"})
    return forms


_EN_SPELLINGS = (("ise", "ize"), ("ize", "ise"), ("yse", "yze"), ("yze", "yse"))


def _en_word(word: str) -> set[str]:
    """English forms of one word: plural/3rd person, past, participles; -ise/-ize both ways."""
    if word in _EN_FIXED or len(word) < 2:
        return {word}
    if not word.isalpha():
        return {word, word + "s"}
    forms = _en_regular(word)
    for a, b in _EN_SPELLINGS:
        if word.endswith(a):
            forms |= _en_regular(word[: -len(a)] + b)
    return forms


_INFLECTORS: dict[str, Callable[[str], set[str]]] = {"en": _en_word}


def inflector_for(language: str) -> Callable[[str], set[str]] | None:
    return _INFLECTORS.get(language)


def inflect_phrase(words: list[str], language: str) -> list[tuple[str, ...]]:
    """Every form of a phrase (a list of normalised words), the base form first."""
    inflector = _INFLECTORS.get(language)
    base = tuple(words)
    if inflector is None or not words:
        return [base]
    options = [sorted(inflector(w)) for w in words]
    total = 1
    for opts in options:
        total *= len(opts)
    if total > MAX_VARIANTS:
        options = [
            opts if i in (0, len(words) - 1) else [words[i]] for i, opts in enumerate(options)
        ]
    seen = {base}
    out = [base]
    for combo in product(*options):
        if combo not in seen:
            seen.add(combo)
            out.append(combo)
    return out


def phrase_forms(
    words: list[str], language: str, *, raw: str | None = None
) -> list[tuple[tuple[str, ...], bool]]:
    """The patterns of an inflected phrase as ``(words, last word is a prefix)``.

    ``raw`` is the term as written: a stemmer reads the last word with its accents and "й".
    """
    if not has_stemmer(language) or not words:
        return [(form, False) for form in inflect_phrase(words, language)]
    raw_words = "".join(" " if fold_char(c) == " " else c for c in (raw or "").lower()).split()
    last = raw_words[-1] if len(raw_words) == len(words) else words[-1]
    stem = stem_word(last, language)
    if stem is None:
        return [(tuple(words), False)]
    return [((*words[:-1], stem), True)]
