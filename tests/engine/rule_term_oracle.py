"""An oracle for which rules an article wakes: one compiled regular expression per rule.

Each rule's regex is the alternation of every form of every term its trigger and conditions
use, whole-word and case-insensitive, run over the raw text. It answers only "which rules have
a term in this article", the question the automaton answers once for all rules, so the tests
can check the automaton's answer against the obvious one.
"""

from __future__ import annotations

import re

from policywatch.engine.rule_language.loader import RuleSet, condition_refs
from policywatch.engine.rule_language.spec import ListSpec, RuleFile
from policywatch.engine.text.inflect import inflect_phrase
from policywatch.engine.text.normalize import words_of
from policywatch.models import Article

__all__ = ["RuleTermOracle"]


def _term_forms(term: str, language: str, inflect: bool) -> list[str]:
    body = term.lstrip("=").rstrip("*")
    words = words_of(body)
    if not words:
        return []
    forms = inflect_phrase(words, language) if inflect and term == body else [tuple(words)]
    tail = r"\w*" if term.endswith("*") else ""
    return [r"\W+".join(re.escape(w) for w in form) + tail for form in forms]


class RuleTermOracle:
    """``rules_hit(article)``: ids of rules with any term in the article, one regex per rule."""

    def __init__(self, ruleset: RuleSet) -> None:
        lists: dict[tuple[str, str], tuple[list[str], bool]] = {}
        for f in ruleset.files:
            for name, spec in f.model.lists.items():
                lst = spec if isinstance(spec, ListSpec) else ListSpec(terms=spec)
                terms = list(lst.terms) + [t for ts in lst.values.values() for t in ts]
                terms += list(lst.values)
                lists[(f.model.language, name)] = (terms, lst.inflect)
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for f in ruleset.files:
            self._add_file(f.model, lists)

    def _add_file(
        self, model: RuleFile, lists: dict[tuple[str, str], tuple[list[str], bool]]
    ) -> None:
        lang = model.language
        for rule in model.rules:
            if not rule.enabled:
                continue
            alternatives: list[str] = []
            for ref in [*rule.trigger, *condition_refs(rule.when)]:
                if ref.startswith("$"):
                    terms, inflect = lists.get(
                        (lang, ref[1:]), lists.get(("any", ref[1:]), ([], True))
                    )
                else:
                    terms, inflect = [ref], True
                for term in terms:
                    alternatives.extend(_term_forms(term, lang, inflect))
            if alternatives:
                unique = sorted(set(alternatives), key=len, reverse=True)
                regex = re.compile(r"\b(?:" + "|".join(unique) + r")\b", re.IGNORECASE)
                self.patterns.append((rule.id, regex))

    def rules_hit(self, article: Article) -> list[str]:
        text = f"{article.title or ''}\n{article.body}"
        return [rule_id for rule_id, regex in self.patterns if regex.search(text)]
