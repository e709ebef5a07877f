"""Placing a decision in time: the dates near a trigger against the article's publication.

News reports its news in the present and tells older decisions as background: "the embargo
Washington imposed in 1962", "several donors had frozen their payments in January" (in an
article of March). A trigger whose nearest explicit date lies well before the publication date
is background, whatever its verb says. Dates written as reference points ("since 2014", "after
the 2022 invasion", "from November") say when something else happened and are passed over.

The month names and the marker words are language data (``calendar:`` in a pack's cue file).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from policywatch.engine.rule_language.compiler import LanguagePack

__all__ = ["BACKGROUND_DAYS", "Anchor", "anchor_near"]

#: A decision dated more than this before publication is background, not news.
BACKGROUND_DAYS = 31
#: How far from the trigger a date may stand and still be the trigger's date, in words.
WORDS_BEFORE = 12
WORDS_AFTER = 14

_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Anchor:
    """An explicit date near a trigger: the words that say it, and whether it is background."""

    text: str
    start: int
    end: int
    past: bool


def _fold(word: str) -> str:
    # The pack holds every calendar word both folded and lower-cased (see the compiler).
    return word.casefold()


def _year(word: str) -> int | None:
    if len(word) == 4 and word.isdigit() and word[:2] in ("18", "19", "20"):
        return int(word)
    return None


def _day(word: str) -> int | None:
    if word.isdigit() and len(word) <= 2 and 1 <= int(word) <= 31:
        return int(word)
    return None


def _is_past(year: int, month: int | None, day: int | None, published: date) -> bool:
    if month is None:
        # A bare year of the previous year in January is as likely last month's news.
        return year < published.year - (1 if published.month == 1 else 0)
    last = day if day is not None else calendar.monthrange(year, month)[1]
    return date(year, month, last) < published - timedelta(days=BACKGROUND_DAYS)


def _follows_reference(lead_in: list[str], refs: frozenset[tuple[str, ...]]) -> bool:
    """One of the reference phrases stands in the words just before a date."""
    for n in range(1, len(lead_in) + 1):
        for i in range(len(lead_in) - n + 1):
            if tuple(lead_in[i : i + n]) in refs:
                return True
    return False


_WORD_BEFORE = re.compile(r"(\w+)\W*$")
_YEAR = re.compile(r"\b(?:18|19|20)\d\d\b")


def _year_before(
    text: str, start: int, end: int, months: dict[str, int], markers: frozenset[str]
) -> int | None:
    """The last year written between ``start`` and ``end`` that is not a model's number."""
    for m in reversed(list(_YEAR.finditer(text, start, end))):
        if not _names_a_model(text, m.start(), months, markers):
            return int(m.group())
    return None


def _names_a_model(text: str, start: int, months: dict[str, int], markers: frozenset[str]) -> bool:
    """The word before a four-digit number is a capitalised name that is not a month or a
    date marker (German capitalises "Sommer 2014")."""
    m = _WORD_BEFORE.search(text, max(start - 40, 0), start)
    if m is None:
        return False
    word = m.group(1)
    folded = _fold(word)
    if folded in months or folded in markers:
        return False
    return word[0].isupper() and not word.isupper()


_DIGIT = re.compile(r"\d")


def _may_hold_a_date(window: str, pack: LanguagePack) -> bool:
    """A cheap test first: most windows hold no digit and no month name."""
    if _DIGIT.search(window):
        return True
    folded = window.casefold()
    return any(form in folded for form in pack.months)


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(text, start, end)]


#: How many words after the event a relative pronoun may stand and still attach to it.
RELATIVE_REACH = 3


def _in_relative(
    text: str, event_end: int, between: list[tuple[int, int, str]], pack: LanguagePack
) -> bool:
    """A relative clause opens right after the event, before the date ("the freeze **that** it
    had ordered in February"); after a comma it describes the whole clause ("..., a step that
    came in 2014") and the date is the event's own."""
    for start, _, word in between[: RELATIVE_REACH + 1]:
        if word in pack.date_relatives:
            return "," not in text[event_end:start]
    return False


def anchor_near(
    text: str,
    sentence: tuple[int, int],
    event: tuple[int, int],
    published: date,
    pack: LanguagePack,
) -> Anchor | None:
    """The explicit date nearest to ``event`` in its sentence, if any, and whether it lies
    before the publication by more than :data:`BACKGROUND_DAYS`."""
    # Words are rarely longer than 16 characters: tokenising a bounded stretch either side
    # keeps the cost flat in long sentences.
    lo = max(sentence[0], event[0] - 16 * WORDS_BEFORE)
    hi = min(sentence[1], event[1] + 16 * WORDS_AFTER)
    if not _may_hold_a_date(text[lo:hi], pack):
        # The stretch near the event is bounded; a year opening a long sentence lies beyond it.
        return _opening_year(text, sentence, event, published, pack)
    before = _tokens(text, lo, event[0])[-WORDS_BEFORE:]
    # A date inside the event's own words is nearest of all ("allowed Kyiv in May to strike").
    inside = _tokens(text, event[0], event[1])
    after = _tokens(text, event[1], hi)[:WORDS_AFTER]
    tokens = before + inside + after
    if not tokens:
        return _opening_year(text, sentence, event, published, pack)
    anchors: list[tuple[int, Anchor]] = []
    months, markers, refs = pack.months, pack.month_markers, pack.date_references
    used: set[int] = set()
    for i, (start, end, word) in enumerate(tokens):
        if i in used:
            continue
        if word in pack.date_current:
            # "lifted **yesterday** the sanctions imposed in 2003": a word for the days around
            # publication, nearest to the event, dates it as news; the older date is the clause's
            if not _follows_reference([t[2] for t in tokens[max(i - 3, 0) : i]], refs):
                anchors.append(
                    (_gap(start, end, event), Anchor(text[start:end], start, end, False))
                )
            continue
        year = _year(word)
        month: int | None = None
        day: int | None = None
        first = i
        if year is not None and _names_a_model(text, start, months, markers):
            continue  # "Mirage 2000", "Leopard 2A7": a type designation, not a year
        if year is not None:
            # "3 March 2019", "March 3, 2019", "3 de febrero de 1962", "im März 2019"
            for j in range(i - 1, max(i - 4, -1), -1):
                w = tokens[j][2]
                if month is None and w in months:
                    month, first = months[w], j
                    # "3 March", "3 de febrero": the day stands one or two words before
                    for k in (j - 1, j - 2):
                        if k >= 0 and _day(tokens[k][2]) is not None:
                            day, first = _day(tokens[k][2]), k
                            break
                    break
                if day is None and _day(w) is not None:
                    day = _day(w)  # "March 3, 2019"
        elif word in months and _day(word) is None:
            nxt = [t[2] for t in tokens[i + 1 : i + 4]]
            if any(_year(w) is not None for w in nxt):
                continue  # the year's own turn reads this month
            prev = tokens[i - 1][2] if i > 0 else ""
            day = _day(prev) or (_day(nxt[0]) if nxt else None)
            if day is None and prev not in markers:
                continue  # "may" the verb, "august" the adjective
            month = months[word]
            first = i - 1 if _day(prev) is not None else i
            if _day(prev) is None and day is not None:
                end = tokens[i + 1][1]  # "Oct. 9": the day follows
            # A month with no year takes the year the sentence named before it ("in May 2023
            # ..., and in August ..."); else the publication's, where a later month than the
            # publication's is the coming one ("will release the payment in April" in January).
            year = _year_before(text, sentence[0], start, months, markers) or published.year
        else:
            continue
        used.update(range(first, i + 1))
        # The words right before the date, never across the event: in "des sanctions ...
        # levées en 2015" the article before the event is no "dès" (since).
        floor = len(before) if first >= len(before) else 0
        if _follows_reference([t[2] for t in tokens[max(first - 3, floor) : first]], refs):
            continue
        if start >= event[1] and _in_relative(
            text, event[1], after[: max(first - len(before) - len(inside), 0)], pack
        ):
            continue  # "lifted the freeze that it had ordered in February": the clause's date
        past = _is_past(year, month, day, published)
        span_start = tokens[first][0]
        anchors.append(
            (_gap(start, end, event), Anchor(text[span_start:end], span_start, end, past))
        )
    if not anchors:
        return _opening_year(text, sentence, event, published, pack)
    return min(anchors, key=lambda a: a[0])[1]


def _gap(start: int, end: int, event: tuple[int, int]) -> int:
    """Characters between a date word at ``start:end`` and the event (0 inside it)."""
    if end <= event[0]:
        return event[0] - end
    return start - event[1] if start >= event[1] else 0


#: How far into its sentence a year may stand and still date the whole sentence, in characters.
OPENING_REACH = 24


def _opening_year(
    text: str,
    sentence: tuple[int, int],
    event: tuple[int, int],
    published: date,
    pack: LanguagePack,
) -> Anchor | None:
    """A year that opens the sentence dates its clause however far the event stands ("17 March
    2014, a day after the referendum on the peninsula, the EU ministers imposed ...")."""
    end = min(sentence[0] + OPENING_REACH, event[0])
    for m in _YEAR.finditer(text, sentence[0], end):
        lead_in = [t[2] for t in _tokens(text, sentence[0], m.start())]
        if _names_a_model(text, m.start(), pack.months, pack.month_markers) or _follows_reference(
            lead_in, pack.date_references
        ):
            continue
        year = int(m.group())
        return Anchor(m.group(), m.start(), m.end(), _is_past(year, None, None, published))
    return None
