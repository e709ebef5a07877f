"""Which pack reads an article: its ``language`` tag, or a language detector when the tag is
missing or wrong.

The policy, cheapest first:

1. The tag's primary subtag (``en-GB`` → ``en``) has a pack: that pack. The detector is asked
   only if the scan then woke *no* rule of that language but woke rules of another one (a
   German article tagged ``en``); if it names another language that has a pack, with
   probability at least :data:`MIN_PROBABILITY`, that pack reads the article instead.
2. No tag: the detector decides when it is sure enough and the language has a pack; when it is
   sure of a language without a pack, nothing is scanned; otherwise every pack reads it.
3. A tag without a pack (``pl``): the detector may overrule it (an English article tagged
   ``pl``); else the article is not scanned.

So a correctly tagged article in a supported language never pays for detection. The
detector is py3langid (a naive Bayes model over byte n-grams, 97 languages, shipped in the
wheel, about 0.2 ms per article); it is loaded on first use, not at import.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from typing import Any, Protocol

from policywatch.models import Article

__all__ = [
    "DETECT_CHARS",
    "MIN_PROBABILITY",
    "LangidDetector",
    "LanguageDetector",
    "LanguageResolver",
    "primary_language",
]

#: The detector reads the title and at most this many characters of the body.
DETECT_CHARS = 1500
#: A detected language overrules or fills in the tag only with at least this probability.
MIN_PROBABILITY = 0.8


class LanguageDetector(Protocol):
    def detect(self, text: str) -> tuple[str, float]:
        """The most probable ISO 639-1 code and its probability (0..1)."""
        ...


class LangidDetector:
    """py3langid with normalised probabilities; the model loads on the first call."""

    def __init__(self) -> None:
        self._identifier: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid import langid  # type: ignore[import-untyped]  # no stubs

                self._identifier = langid.LanguageIdentifier.from_model_file(
                    langid.MODEL_FILE, norm_probs=True
                )
        return self._identifier

    def detect(self, text: str) -> tuple[str, float]:
        identifier = self._identifier or self._load()
        code, probability = identifier.classify(text)
        return str(code), float(probability)


_DEFAULT = LangidDetector()


def primary_language(tag: str | None) -> str:
    return (tag or "").split("-")[0].split("_")[0].lower()


class LanguageResolver:
    """Applies the policy above for one compiled pack's languages."""

    def __init__(self, packs: Collection[str], detector: LanguageDetector | None = None) -> None:
        self.packs = frozenset(packs)
        self.detector = detector or _DEFAULT

    def _detect(self, article: Article) -> tuple[str, float]:
        text = f"{article.title or ''}\n{article.body[:DETECT_CHARS]}"
        return self.detector.detect(text)

    def initial(self, article: Article) -> frozenset[str]:
        """Languages to scan with before any hit is known; empty: skip the article."""
        if self.packs == {"any"}:
            return self.packs
        tag = primary_language(article.language)
        if tag in self.packs:
            return frozenset({tag})
        code, probability = self._detect(article)
        if probability >= MIN_PROBABILITY:
            return frozenset({code}) & self.packs
        return self.packs if not tag else frozenset()

    def confirm(
        self, article: Article, chosen: frozenset[str], woken: Iterable[str]
    ) -> frozenset[str]:
        """Re-check a single tagged language that woke no rule while another language did."""
        woken_langs = set(woken)
        if len(chosen) != 1 or not woken_langs or chosen & woken_langs:
            return chosen
        code, probability = self._detect(article)
        if probability >= MIN_PROBABILITY and code in self.packs and code not in chosen:
            return frozenset({code})
        return chosen
