"""Dates near a trigger, read against the article's publication date."""

from __future__ import annotations

from datetime import date

import pytest

from policywatch.engine import Engine
from policywatch.engine.matching.chronology import anchor_near
from policywatch.engine.rule_language.compiler import LanguagePack


@pytest.fixture(scope="module")
def packs(engine: Engine) -> dict[str, LanguagePack]:
    return engine.pack.languages


def _anchor(
    pack: LanguagePack, text: str, trigger: str, published: date
) -> tuple[str, bool] | None:
    start = text.index(trigger)
    found = anchor_near(text, (0, len(text)), (start, start + len(trigger)), published, pack)
    return None if found is None else (found.text, found.past)


@pytest.mark.parametrize(
    ("language", "text", "trigger", "expected"),
    [
        (
            "en",
            "Washington imposed the embargo in 1962 to isolate Havana.",
            "imposed",
            ("1962", True),
        ),
        (
            "en",
            "The ministry imposed the ban on 3 June 2024, officials said.",
            "imposed",
            ("3 June 2024", False),
        ),
        (
            "en",
            "The ministry imposed the ban on 3 March 2024, officials said.",
            "imposed",
            ("3 March 2024", True),
        ),
        ("en", "Several donors had frozen their payments in January.", "frozen", ("January", True)),
        ("en", "The ministry will lift the ban in November.", "lift", None),
        ("en", "Sanctions in force since 2014 were lifted on Friday.", "lifted", None),
        ("en", "The government decided to send Mirage 2000 jets.", "send", None),
        (
            "de",
            "Die EU hatte im Sommer 2014 Sanktionen beschlossen.",
            "beschlossen",
            ("2014", True),
        ),
        ("fr", "Le Japon a levé les restrictions en mars dernier.", "levé", ("mars", True)),
        (
            "es",
            "El 3 de febrero de 1962 Kennedy impuso el embargo.",
            "impuso",
            ("3 de febrero de 1962", True),
        ),
        (
            "uk",
            "Уряд запровадив заборону у березні 2019 року.",
            "запровадив",
            ("березні 2019", True),
        ),
        ("ru", "Правительство ввело запрет после 2022 года.", "ввело", None),
    ],
)
def test_a_date_before_publication_marks_background(
    packs: dict[str, LanguagePack],
    language: str,
    text: str,
    trigger: str,
    expected: tuple[str, bool] | None,
) -> None:
    published = date(2024, 6, 20)
    found = _anchor(packs[language], text, trigger, published)
    if expected is None:
        assert found is None or found[1] is False
    else:
        assert found == expected


def test_a_month_after_publication_is_the_coming_one(packs: dict[str, LanguagePack]) -> None:
    text = "Canada will release the next payment in April."
    assert _anchor(packs["en"], text, "release", date(2025, 1, 15)) == ("April", False)


def test_the_may_of_a_modal_verb_is_no_date(packs: dict[str, LanguagePack]) -> None:
    text = "Officials said they may lift the sanctions."
    assert _anchor(packs["en"], text, "lift", date(2025, 9, 1)) is None


def test_a_recent_date_is_news(packs: dict[str, LanguagePack]) -> None:
    text = "Beijing said the controls announced on Oct. 9 would be halted."
    assert _anchor(packs["en"], text, "halted", date(2025, 10, 30)) == ("Oct. 9", False)


def test_a_word_before_the_event_is_no_reference_of_a_date_after_it(
    packs: dict[str, LanguagePack],
) -> None:
    # "des" before the event folds like "dès" (since), but only words right before the date
    # can make it a reference point
    text = "Le texte rétablirait l'ensemble des sanctions de l'ONU levées en 2015 contre Téhéran."
    start = text.index("sanctions")
    end = text.index("levées") + len("levées")
    found = anchor_near(text, (0, len(text)), (start, end), date(2025, 7, 25), packs["fr"])
    assert found is not None
    assert (found.text, found.past) == ("2015", True)


def test_a_month_takes_the_year_the_sentence_named_before_it(
    packs: dict[str, LanguagePack],
) -> None:
    text = "In May 2023 the allies agreed to train pilots, and in August Denmark approved the jets."
    # published in April 2025: August would otherwise be the coming one
    assert _anchor(packs["en"], text, "approved", date(2025, 4, 26)) == ("August", True)


def test_a_year_that_opens_the_sentence_dates_it_however_far_the_event(
    packs: dict[str, LanguagePack],
) -> None:
    text = (
        "Im März 2014, einen Tag nach dem nicht anerkannten Referendum auf der Halbinsel, "
        "verhängten die Außenminister der Union Einreiseverbote gegen 21 Funktionäre."
    )
    assert _anchor(packs["de"], text, "Einreiseverbote", date(2024, 3, 17)) == ("2014", True)


def test_a_year_that_opens_a_long_sentence_still_dates_an_event_far_after_it(
    packs: dict[str, LanguagePack],
) -> None:
    # No digit or month stands in the stretch around the event: the opening year is all there is.
    text = (
        "In 2019, after months of quarrelling between the coalition partners about the wording "
        "of the final text and a long night of talks with the opposition leaders who had "
        "walked out of the previous sessions of the foreign affairs committee, the cabinet finally "
        "suspended its budget support for the ministry of education."
    )
    assert _anchor(packs["en"], text, "suspended", date(2024, 3, 17)) == ("2019", True)
