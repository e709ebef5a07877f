"""One pass of the automaton over an article: term hits grouped by set, in original offsets."""

from __future__ import annotations

from dataclasses import dataclass

from policywatch.engine.compiler import CompiledPack, LanguagePack
from policywatch.engine.normalize import normalize_cased
from policywatch.engine.slots import Mention, resolve_mentions
from policywatch.engine.text import FieldText
from policywatch.models import Article

__all__ = ["ArticleContext", "Hit", "collect_hits"]


@dataclass(frozen=True, slots=True)
class Hit:
    """A whole-word term match: ``fields[field].text[start:end]``."""

    set_id: int
    field: int
    start: int
    end: int
    value: str | None


class ArticleContext:
    """An article's fields and hits, plus per-article caches the rules share."""

    __slots__ = ("_mentions", "article", "fields", "hits")

    def __init__(self, article: Article, hits: dict[int, list[Hit]], fields: list[FieldText]):
        self.article = article
        self.fields = fields
        self.hits = hits
        self._mentions: dict[tuple[int, int], list[Mention]] = {}

    def mentions(self, field: int, pack: LanguagePack) -> list[Mention]:
        key = (field, pack.entity_set)
        found = self._mentions.get(key)
        if found is None:
            raw = [
                (h.start, h.end, h.value)
                for h in self.hits.get(pack.entity_set, ())
                if h.field == field
            ]
            found = self._mentions[key] = resolve_mentions(raw)
        return found


def article_fields(article: Article) -> list[FieldText]:
    fields = [FieldText("title", article.title or "")]
    fields.append(FieldText("body", article.body))
    return fields


def collect_hits(pack: CompiledPack, article: Article) -> ArticleContext:
    """Scan every field once; keep whole-word hits, checking exact-case terms on the original."""
    fields = article_fields(article)
    hits: dict[int, list[Hit]] = {}
    automaton = pack.automaton
    if automaton is None:
        return ArticleContext(article, hits, fields)
    pattern_terms = pack.pattern_terms
    for fi, ft in enumerate(fields):
        if not ft.text:
            continue
        norm = ft.norm
        ntext = norm.text
        offsets = norm.offsets
        original = ft.text
        for pid, s, e in automaton.find_matches_as_indexes(ntext, overlapping=True):
            for term in pattern_terms[pid]:
                we = ntext.index(" ", e) if term.prefix else e - 1
                if offsets is None:
                    start, end = s, we - 1
                else:
                    start, end = offsets[s], offsets[we - 1]
                if term.cased is not None and normalize_cased(original[start:end]) != term.cased:
                    continue
                bucket = hits.get(term.set_id)
                if bucket is None:
                    hits[term.set_id] = [Hit(term.set_id, fi, start, end, term.value)]
                else:
                    bucket.append(Hit(term.set_id, fi, start, end, term.value))
    return ArticleContext(article, hits, fields)
