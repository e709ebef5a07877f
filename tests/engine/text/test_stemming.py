"""Stem-prefix terms for inflecting languages."""

from __future__ import annotations

import pytest

from policywatch.engine.text.inflect import phrase_forms
from policywatch.engine.text.normalize import words_of
from policywatch.engine.text.stemming import stem_word


@pytest.mark.parametrize(
    ("word", "language", "forms"),
    [
        ("ракета", "ru", ["ракеты", "ракет", "ракетами"]),
        ("санкція", "uk", ["санкції", "санкцій", "санкціями"]),
        ("Waffe", "de", ["waffen", "waffe"]),
        ("Beschränkung", "de", ["beschrankungen"]),
        ("suspendre", "fr", ["suspend", "suspendu", "suspendent"]),
        ("sanción", "es", ["sanciones", "sancion"]),
    ],
)
def test_a_stem_prefix_covers_the_inflected_forms(
    word: str, language: str, forms: list[str]
) -> None:
    stem = stem_word(word, language)
    assert stem is not None
    assert all(f.startswith(stem) for f in forms)


def test_short_stems_and_unknown_languages_match_exactly() -> None:
    assert phrase_forms(words_of("не"), "ru", raw="не") == [(("не",), False)]
    assert phrase_forms(words_of("lever"), "fr", raw="lever") == [(("lever",), False)]
    assert phrase_forms(words_of("ракета"), "xx", raw="ракета") == [(("ракета",), False)]


def test_only_the_last_word_of_a_phrase_becomes_a_prefix() -> None:
    assert phrase_forms(words_of("neue Sanktionen"), "de", raw="neue Sanktionen") == [
        (("neue", "sanktion"), True)
    ]
