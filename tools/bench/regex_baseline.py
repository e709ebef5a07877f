"""The baseline the engine is benchmarked against: one regular expression per rule.

Each rule compiles its trigger phrases into one whole-word, case-insensitive alternation and is
run over every field of every article; for each trigger match the rule's condition is checked
naively on the sentence around it (object word present, a known state present, no negation in
the few words before). It finds what the engine finds on a :class:`SyntheticPack`, with none of
the engine's sharing: the cost grows with the number of rules, which is the point of comparing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policywatch.models import Article
from tools.bench.synthetic_pack import ENTITIES, NEGATIONS, OBJECTS, SyntheticPack

__all__ = ["RegexBaseline"]


def _words(terms: list[str] | tuple[str, ...], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    alternation = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in terms)
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", flags)


@dataclass(frozen=True)
class _NaiveRule:
    id: str
    trigger: re.Pattern[str]


class RegexBaseline:
    """``detect(article)`` returns the ids of the rules that match, as the engine would."""

    def __init__(self, pack: SyntheticPack) -> None:
        self.rules = tuple(
            _NaiveRule(f"synthetic-{i:05d}", _words(phrases))
            for i, phrases in enumerate(pack.rule_phrases)
        )
        self._object = _words(OBJECTS)
        self._negation = _words(NEGATIONS)
        self._entity = _words([t for _, terms in ENTITIES.values() for t in terms if t[0] != "="])

    def detect(self, article: Article) -> list[str]:
        matched: list[str] = []
        texts = [t for t in (article.title, article.body) if t]
        for rule in self.rules:
            if any(self._fires(rule, text) for text in texts):
                matched.append(rule.id)
        return matched

    def _fires(self, rule: _NaiveRule, text: str) -> bool:
        for m in rule.trigger.finditer(text):
            start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            ends = [e for e in (text.find(".", m.end()), text.find("\n", m.end())) if e >= 0]
            end = min(ends) if ends else len(text)
            sentence = text[start:end]
            if not self._object.search(sentence) or not self._entity.search(sentence):
                continue
            before = text[start : m.start()].split()[-4:]
            if self._negation.search(" ".join(before)):
                continue
            return True
        return False
