"""One field of an article (title or body): original text, normalised text, lazy sentences."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Literal

from policywatch.engine.text.normalize import Normalized, normalize

__all__ = ["FieldText", "count_words", "words_in"]

#: A photo's credit ("... via REUTERS", "(Photo: Reuters/...)", "Foto: dpa", "© Sipa"): the
#: paragraph that holds one is a caption, whatever its sentences say.
_CREDIT = re.compile(
    r"\bvia (?:REUTERS|Reuters|AFP|AP|Getty)\b|\b(?:REUTERS|Reuters|AFP|AP|EPA|dpa)/\w"
    r"|Getty Images|\b(?:Photo|Photograph|Foto|Bild|Фото|Crédit photo|Credit)\s?:|\(Photo\b|©"
)


#: Longest paragraph read as a caption: a credit in a long paragraph (a body sent without
#: line breaks) ends a story, it does not make the story a caption.
_CAPTION_CHARS = 400


def _in_caption(text: str, start: int, end: int) -> bool:
    """The sentence at ``start:end`` lies in a short paragraph that carries a photo credit."""
    p_start = text.rfind("\n", 0, start) + 1
    p_end = text.find("\n", end)
    p_end = len(text) if p_end < 0 else p_end
    return p_end - p_start <= _CAPTION_CHARS and _CREDIT.search(text, p_start, p_end) is not None


FieldName = Literal["title", "body"]

_WORD = re.compile(r"\w+")
_CANDIDATE = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+|\s*\n\s*")
_DOTTED = re.compile(r"(?:\w\.)+\w?$")
_ENDERS = ".!?…"
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
_MARK_CHARS = _ENDERS + "\n"
#: Words after which a full stop does not end a sentence ("U.S. officials", "Sen. Smith").
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "adm",
        "st",
        "mt",
        "jr",
        "sr",
        "no",
        "vs",
        "etc",
        "inc",
        "corp",
        "ltd",
        "co",
        "dept",
        "govt",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "fig",
        "est",
    ]
)


def count_words(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end))


def words_in(text: str, start: int, end: int) -> list[re.Match[str]]:
    return list(_WORD.finditer(text, start, end))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` without surrounding whitespace (the reference splitter).

    :class:`FieldText` finds the same spans lazily, around hits only; this whole-text version
    is kept as the oracle its tests compare against.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _CANDIDATE.finditer(text):
        if "\n" not in m.group() and not _ends_sentence(text, m.start(), m.end()):
            continue
        _add(spans, text, start, m.start() + len(m.group().rstrip()))
        start = m.end()
    _add(spans, text, start, len(text))
    return spans


def _ends_sentence(text: str, start: int, end: int) -> bool:
    """Whether the full stop (or ``!?…``) run at ``start``, whose candidate ends at ``end``,
    ends a sentence: not before a lower-case word, an initial, an abbreviation or "U.S."."""
    nxt = end
    while nxt < len(text) and text[nxt] in _OPENERS:
        nxt += 1
    if nxt < len(text) and text[nxt].islower():
        return False
    if text[start] != ".":
        return True
    word_start = text.rfind(" ", 0, start) + 1
    token = text[word_start:start].lstrip(_OPENERS)
    if len(token) == 1 and token.isalpha():
        return False
    return not (token.lower() in ABBREVIATIONS or _DOTTED.match(token))


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    start, end = _trim(text, start, end)
    if start < end:
        spans.append((start, end))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _marks(text: str) -> list[int]:
    """Positions of every sentence-ending character and newline (``str.find``, no regex)."""
    out: list[int] = []
    find = text.find
    for ch in _MARK_CHARS:
        i = find(ch)
        while i >= 0:
            out.append(i)
            i = find(ch, i + 1)
    out.sort()
    return out


def _prev_mark(text: str, end: int) -> int:
    """The last of ``.!?…`` or newline before ``end``, or -1."""
    r = text.rfind
    return max(r(".", 0, end), r("\n", 0, end), r("!", 0, end), r("?", 0, end), r("…", 0, end))


def _next_mark(text: str, start: int) -> int:
    """The first of ``.!?…`` or newline at or after ``start``, or -1."""
    f = text.find
    found = [i for i in (f(".", start), f("\n", start), f("!", start), f("?", start),
                         f("…", start)) if i >= 0]  # fmt: skip
    return min(found) if found else -1


def _boundary(text: str, mark: int) -> tuple[int, int] | None:
    """The sentence break a mark belongs to, as the whitespace run ``(start, end)`` after it.

    Equivalent to one match of ``_CANDIDATE`` accepted by :func:`split_sentences`: a run of
    ``.!?…`` plus closing quotes followed by whitespace, or whitespace holding a newline.
    """
    n = len(text)
    if text[mark] == "\n":
        ws = mark
        while ws > 0 and text[ws - 1].isspace():
            ws -= 1
        we = mark + 1
        while we < n and text[we].isspace():
            we += 1
        return (ws, we)
    j = mark
    while j < n and text[j] in _ENDERS:
        j += 1
    while j < n and text[j] in _CLOSERS:
        j += 1
    if j >= n or not text[j].isspace():
        return None
    we = j + 1
    while we < n and text[we].isspace():
        we += 1
    if "\n" in text[j:we]:
        return (j, we)
    first = mark
    while first > 0 and text[first - 1] in _ENDERS:
        first -= 1
    return (j, we) if _ends_sentence(text, first, we) else None


class FieldText:
    """A field's text, normalised once; sentence breaks are found only where a rule asks.

    Around a hit, the nearest candidate breaks (``.!?…`` and newlines) are located with
    ``str.rfind``/``str.find`` and checked (abbreviation, initial, lower-case continuation...)
    one by one, so an article with three hits pays for a few checks, not for every sentence.
    """

    __slots__ = (
        "_at",
        "_bounds",
        "_lead_ends",
        "_norm",
        "_sentences",
        "_words",
        "mentions",
        "name",
        "text",
    )

    def __init__(self, name: FieldName, text: str) -> None:
        self.name: FieldName = name
        self.text = text
        self._norm: Normalized | None = None
        self._bounds: dict[int, tuple[int, int] | None] | None = None
        self._sentences: list[tuple[int, int]] | None = None
        self._at: dict[int, tuple[int, int]] | None = None
        self._words: dict[tuple[int, int], tuple[list[int], list[int]]] | None = None
        self._lead_ends: dict[int, int] | None = None
        self.mentions: list[tuple[int, int, str]] | None = None

    @property
    def norm(self) -> Normalized:
        norm = self._norm
        if norm is None:
            norm = self._norm = normalize(self.text)
        return norm

    def _bound(self, mark: int) -> tuple[int, int] | None:
        bounds = self._bounds
        if bounds is None:
            bounds = self._bounds = {}
        elif mark in bounds:
            return bounds[mark]
        found = bounds[mark] = _boundary(self.text, mark)
        return found

    def _spans(self) -> Iterator[tuple[int, int]]:
        """Every sentence span, in order (what :func:`split_sentences` returns)."""
        text = self.text
        prev = 0
        for mark in _marks(text):
            b = self._bound(mark)
            if b is None or b[0] < prev:
                continue
            start, end = _trim(text, prev, b[0])
            if start < end:
                yield (start, end)
            prev = b[1]
        start, end = _trim(text, prev, len(text))
        if start < end:
            yield (start, end)

    def sentences(self) -> list[tuple[int, int]]:
        if self._sentences is None:
            self._sentences = list(self._spans())
        return self._sentences

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The sentence holding ``pos`` (the first when ``pos`` precedes it, the previous one
        when ``pos`` falls between two)."""
        at = self._at
        if at is None:
            at = self._at = {}
        found = at.get(pos)
        if found is None:
            found = at[pos] = self._sentence_at(pos)
        return found

    def _sentence_at(self, pos: int) -> tuple[int, int]:
        text = self.text
        if not (0 <= pos < len(text) and text[pos].isalnum()):
            return self._sentence_at_slow(pos)
        start = 0
        mark = _prev_mark(text, pos)
        while mark >= 0:
            b = self._bound(mark)
            if b is not None:
                start = b[1]
                break
            mark = _prev_mark(text, mark)
        end = len(text)
        mark = _next_mark(text, pos)
        while mark >= 0:
            b = self._bound(mark)
            if b is not None:
                end = b[0]
                break
            mark = _next_mark(text, mark + 1)
        return _trim(text, start, end)

    def _sentence_at_slow(self, pos: int) -> tuple[int, int]:
        sentences = self.sentences()
        if not sentences:
            return (0, len(self.text))
        i = max(bisect_right([s for s, _ in sentences], pos) - 1, 0)
        return sentences[min(i, len(sentences) - 1)]

    def lead_end(self, sentences: int) -> int:
        """End of the ``sentences``-th sentence (or of the last one, or of the text). A photo's
        caption does not count: it stands first on many pages, before the news it shows."""
        found = self._lead_ends.get(sentences) if self._lead_ends is not None else None
        if found is not None:
            return found
        text = self.text
        last = len(text)
        n = 0
        for span_start, span_end in self._spans():
            last = span_end
            if not _in_caption(text, span_start, span_end):
                n += 1
            if n >= sentences:
                break
        if self._lead_ends is None:
            self._lead_ends = {}
        self._lead_ends[sentences] = last
        return last

    def word_spans(self, start: int, end: int) -> tuple[list[int], list[int]]:
        """Starts and ends of the words in ``text[start:end]`` (cached: rules share sentences)."""
        words = self._words
        if words is None:
            words = self._words = {}
        key = (start, end)
        found = words.get(key)
        if found is None:
            spans = [m.span() for m in _WORD.finditer(self.text, start, end)]
            found = words[key] = ([s for s, _ in spans], [e for _, e in spans])
        return found
