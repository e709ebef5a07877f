"""One field of an article (title or body): original text, normalised text, lazy sentences."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Literal

from policywatch.engine.normalize import Normalized, normalize

__all__ = ["FieldText", "count_words", "words_in"]

FieldName = Literal["title", "body"]

_WORD = re.compile(r"\w+")
_CANDIDATE = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+|\s*\n\s*")
_DOTTED = re.compile(r"(?:\w\.)+\w?$")
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
    """Sentence spans ``(start, end)`` without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _CANDIDATE.finditer(text):
        if "\n" not in m.group() and not _ends_sentence(text, m):
            continue
        _add(spans, text, start, m.start() + len(m.group().rstrip()))
        start = m.end()
    _add(spans, text, start, len(text))
    return spans


def _ends_sentence(text: str, m: re.Match[str]) -> bool:
    nxt = m.end()
    while nxt < len(text) and text[nxt] in "\"'“‘«([":
        nxt += 1
    if nxt < len(text) and text[nxt].islower():
        return False
    if text[m.start()] != ".":
        return True
    word_start = text.rfind(" ", 0, m.start()) + 1
    token = text[word_start : m.start()].lstrip("\"'“‘(«[")
    if len(token) == 1 and token.isalpha():
        return False
    return not (token.lower() in ABBREVIATIONS or _DOTTED.match(token))


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


class FieldText:
    """A field's text, normalised once; sentences are split only when a rule asks."""

    __slots__ = ("_sentences", "_starts", "mentions", "name", "norm", "text")

    def __init__(self, name: FieldName, text: str) -> None:
        self.name: FieldName = name
        self.text = text
        self.norm: Normalized = normalize(text)
        self._sentences: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self.mentions: list[tuple[int, int, str]] | None = None

    def sentences(self) -> list[tuple[int, int]]:
        if self._sentences is None:
            self._sentences = split_sentences(self.text)
            self._starts = [s for s, _ in self._sentences]
        return self._sentences

    def sentence_index(self, pos: int) -> int:
        sentences = self.sentences()
        i = max(bisect_right(self._starts, pos) - 1, 0)
        return min(i, len(sentences) - 1)

    def sentence_at(self, pos: int) -> tuple[int, int]:
        sentences = self.sentences()
        if not sentences:
            return (0, len(self.text))
        return sentences[self.sentence_index(pos)]

    def lead_end(self, sentences: int) -> int:
        spans = self.sentences()
        if not spans:
            return len(self.text)
        return spans[min(sentences, len(spans)) - 1][1]
