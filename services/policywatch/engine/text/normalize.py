"""Text normalisation shared by terms and articles, with a map back to original offsets.

Every character becomes its case-folded, accent-stripped base letter or digit; every other
character (punctuation, spaces, symbols) becomes one space. For almost every text this keeps
the length, so offsets need no map at all (``offsets is None``); only free-standing combining
marks (decomposed accents) are dropped, and then ``offsets`` maps back.

Terms go through the same function, so "Kyïv", "KYIV" and "kyiv" all meet as ``kyiv``, and
"U.S." meets "U.S.-made" as ``u s``. Cyrillic folds the same way: "Ракети" is ``ракети``, "ё"
meets "е", "ї" meets "і" and "й" meets "и" (their diacritics are combining marks); every
apostrophe (', ’, ʼ) is a word gap, so "обʼєкт" and "об'єкт" both read ``об єкт``.
A normalised text is padded with one space on each side so that a pattern ``" word "`` can
only match whole words.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Normalized", "fold_char", "normalize", "normalize_cased", "words_of"]


#: Letter-like apostrophes (Ukrainian "обʼєкт") are gaps, like ’ and ' already are.
_APOSTROPHES = frozenset("ʼʻʹ")


def fold_char(ch: str, *, keep_case: bool = False) -> str:
    """The normalised form of one character: one character, or ``""`` for a combining mark."""
    if unicodedata.combining(ch):
        return ""
    if not ch.isalnum() or ch in _APOSTROPHES:
        return " "
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0] if all(unicodedata.combining(c) for c in decomposed[1:]) else ch
    if keep_case:
        return base
    folded = base.casefold()
    if len(folded) == 1:
        return folded
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that fills itself on first sight of each code point."""

    def __init__(self, *, keep_case: bool) -> None:
        super().__init__()
        self._keep_case = keep_case
        for i in range(128):
            self[i] = fold_char(chr(i), keep_case=keep_case)

    def __missing__(self, key: int) -> str:
        value = fold_char(chr(key), keep_case=self._keep_case)
        self[key] = value
        return value


_FOLD = _FoldTable(keep_case=False)
_FOLD_CASED = _FoldTable(keep_case=True)
#: The ASCII part of ``_FOLD`` as a ``bytes.translate`` table (every ASCII character folds to
#: one ASCII character); bytes beyond 127 never reach it.
_ASCII_FOLD = bytes(ord(_FOLD[i]) for i in range(128)) + bytes(range(128, 256))


@dataclass(frozen=True, slots=True)
class Normalized:
    """``text`` is ``" " + normalise(original) + " "``.

    ``offsets[i]`` is the original index of ``text[i + 1]`` (with one extra entry for the end),
    or ``None`` when the lengths agree and the original index is simply ``i - 1``.
    """

    text: str
    offsets: tuple[int, ...] | None

    def to_original(self, index: int) -> int:
        """Original offset of padded index ``index`` (a start or an end)."""
        if self.offsets is None:
            return index - 1
        return self.offsets[index - 1]


def _fold_non_ascii(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the folded form of a run of non-ASCII characters, if ASCII."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = exc.object[exc.start : exc.end].translate(_FOLD)
    if not out.isascii():
        raise exc
    return out, exc.end


codecs.register_error("policywatch.fold", _fold_non_ascii)


def _fold(original: str) -> str:
    """``original.translate(_FOLD)``, fast for mostly-ASCII text.

    ``str.translate`` with a dict looks every character up (~3 ns each, 9 µs for 3 KB), and one
    curly quote early in an article costs more: its ASCII fast path ends there. ASCII text goes
    through ``bytes.translate`` with a 256-byte table instead (~1 µs for 3 KB). Mostly-ASCII
    text is encoded with an error handler that folds its few non-ASCII runs (their folded forms
    are ASCII fixed points of the table), then takes the same path. Text with many non-ASCII
    characters (German, Cyrillic) goes straight to ``str.translate``.
    """
    if original.isascii():
        return original.encode("ascii").translate(_ASCII_FOLD).decode("ascii")
    if (len(original.encode()) - len(original)) * 50 < len(original):
        try:
            encoded = original.encode("ascii", "policywatch.fold")
        except UnicodeEncodeError:
            pass
        else:
            return encoded.translate(_ASCII_FOLD).decode("ascii")
    return original.translate(_FOLD)


#: A Latin letter beside a Cyrillic one inside a word: a word typed in two scripts.
_MIXED = re.compile(r"[a-z][а-яёіїєґ]|[а-яёіїєґ][a-z]")
_WORD = re.compile(r"\w+")
#: Latin letters that look like Cyrillic ones, folded ("M" and "H" fold to "m" and "h").
_LOOKALIKES = str.maketrans("aeopcxyikmhtb", "аеорсхуікмнтв")


def _one_script(folded: str) -> str:
    """Cyrillic words with Latin look-alike letters in them, written in Cyrillic alone.

    Some sites type a few letters of a Cyrillic word in Latin ("Aмeрикaнскaя", a Latin "i" in
    Ukrainian "Підписуйтеcь"), by habit of keyboard or to defeat scrapers; a reader sees one
    word, and so must the matcher. One letter for one letter: offsets do not move.
    """
    if _MIXED.search(folded) is None:
        return folded
    return _WORD.sub(
        lambda m: m.group().translate(_LOOKALIKES) if _MIXED.search(m.group()) else m.group(),
        folded,
    )


def normalize(original: str) -> Normalized:
    folded = _fold(original)
    if not folded.isascii():
        folded = _one_script(folded)
    if len(folded) == len(original):
        return Normalized(f" {folded} ", None)
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(original):
        out = _FOLD[ord(ch)]
        if out:
            chars.append(out)
            offsets.append(i)
    offsets.append(len(original))
    return Normalized(f" {_one_script(''.join(chars))} ", tuple(offsets))


def normalize_cased(original: str) -> str:
    """Like :func:`normalize` but keeps letter case; whitespace runs collapse to one space."""
    return " ".join(original.translate(_FOLD_CASED).split())


def words_of(phrase: str) -> list[str]:
    """The normalised words of a term or phrase."""
    return phrase.translate(_FOLD).split()
