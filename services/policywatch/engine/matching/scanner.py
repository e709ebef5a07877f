"""One pass of the automaton over an article: term hits grouped by set, in original offsets.

Scanning is two steps so that the common article (no rule can fire) costs one automaton pass:
:meth:`Scanner.matches` runs the automaton over each field and tells which sets have a hit;
only when a rule can fire does :meth:`Scanner.context` turn the raw matches of the sets that
rule reads into :class:`Hit` tuples.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from policywatch.engine.matching.slots import Mention, resolve_mentions
from policywatch.engine.rule_language.compiler import CompiledPack, LanguagePack
from policywatch.engine.text.normalize import normalize, normalize_cased
from policywatch.engine.text.sentences import FieldText
from policywatch.models import Article

__all__ = ["ArticleContext", "Hit", "Matches", "Scanner", "collect_hits"]

#: Per field, the automaton's ``(pattern id, start, end)`` over the padded normalised text.
Matches = list[list[tuple[int, int, int]]]
#: Per field, ``(pattern id, start, end)`` of a separable verb joined to its particle, in
#: original offsets of the verb ("setzt" in "setzt ... aus" read as "aussetzt").
Joined = list[list[tuple[int, int, int]]]

#: A particle that closes its clause, and the lower-case words before it in the clause.
_CLAUSE_END_CHARS = ".,;:!?()\n"
_CLAUSE_END = re.compile(f"[{re.escape(_CLAUSE_END_CHARS)}]")
_WORD_RE = re.compile(r"\w+")
#: How many words before its particle a separable verb may stand.
SEPARABLE_REACH = 14
#: ``(set id, exact form or None, prefix, value, accented)``: a pattern's terms, flattened.
_Term = tuple[int, str | None, bool, str | None, bool]


class Hit(NamedTuple):
    """A whole-word term match: ``fields[field].text[start:end]``."""

    set_id: int
    field: int
    start: int
    end: int
    value: str | None


_new_hit = tuple.__new__
_PID = itemgetter(0)


class ArticleContext:
    """An article's fields and hits, plus per-article caches the rules share."""

    __slots__ = ("_mentions", "article", "fields", "hits", "published")

    def __init__(self, article: Article, hits: dict[int, list[Hit]], fields: list[FieldText]):
        self.article = article
        self.fields = fields
        self.hits = hits
        #: The date the article's news is read against: its publication, else when it was seen.
        self.published: date | None = article.published_at.date() if article.published_at else None
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
    return [FieldText("title", article.title or ""), FieldText("body", article.body)]


class Scanner:
    """Per-pattern tables derived once from a compiled pack, and the two scanning steps."""

    __slots__ = ("all_sets", "automaton", "cased_pids", "plain_sets", "simple", "terms")

    def __init__(self, pack: CompiledPack, decisive: frozenset[int] | None = None) -> None:
        """``decisive``: the sets whose presence :meth:`matches` must report exactly (those
        that wake rules or that their conditions require); ``None`` for all."""
        self.automaton = pack.automaton
        # Many patterns share the same tables (every inflected form of one term): keep one copy.
        shared: dict[object, Any] = {}
        self.terms: list[tuple[_Term, ...]] = [
            shared.setdefault(key, key)
            for key in (
                tuple((t.set_id, t.cased, t.prefix, t.value, t.accented) for t in infos)
                for infos in pack.pattern_terms
            )
        ]
        #: Per pattern, ``(set id, value)`` of its terms when all are plain whole words.
        self.simple: list[tuple[tuple[int, str | None], ...] | None] = [
            shared.setdefault(("simple", terms), tuple((t[0], t[3]) for t in terms))
            if all(t[1] is None and not t[2] for t in terms)
            else None
            for terms in self.terms
        ]
        self.all_sets = frozenset(t.set_id for infos in pack.pattern_terms for t in infos)
        #: Sets a match of the pattern always hits (its terms that are not exact-case).
        self.plain_sets: list[frozenset[int]] = [
            shared.setdefault(("plain", terms), frozenset(t[0] for t in terms if t[1] is None))
            for terms in self.terms
        ]
        #: Patterns with exact-case terms, and the sets (of ``decisive``) only those terms hit.
        cased = {
            pid: frozenset(t.set_id for t in infos if t.cased is not None)
            for pid, infos in enumerate(pack.pattern_terms)
            if any(t.cased is not None for t in infos)
        }
        if decisive is not None:
            cased = {pid: sets & decisive for pid, sets in cased.items() if sets & decisive}
        self.cased_pids: dict[int, frozenset[int]] = cased

    def matches(self, fields: list[FieldText]) -> tuple[Matches, set[int]]:
        """The automaton's matches per field, and the ids of the sets with at least one hit
        (exactly for the decisive sets; a set hit only by exact-case terms may be missing)."""
        out: Matches = []
        present: set[int] = set()
        automaton = self.automaton
        if automaton is None:
            return [[] for _ in fields], present
        plain = self.plain_sets
        cased = self.cased_pids
        for ft in fields:
            if not ft.text:
                out.append([])
                continue
            found = automaton.find_matches_as_indexes(ft.norm.text, overlapping=True)
            out.append(found)
            pids = set(map(_PID, found))
            present.update(*map(plain.__getitem__, pids))
            unsure = {p for p in cased.keys() & pids if not present >= cased[p]}
            if unsure:
                checked: dict[int, list[Hit]] = {}
                self._add_hits(checked, ft, 0, [m for m in found if m[0] in unsure], self.all_sets)
                present.update(checked)
        return out, present

    def joined(self, fields: list[FieldText], particles: frozenset[str]) -> tuple[Joined, set[int]]:
        """Separable verbs read whole: for each particle that closes a clause ("... die
        Sanktionen gegen Belarus **aus**."), every lower-case word before it in the clause is
        joined to it ("aussetzt", "ausgegen"...) and matched alone; a joined word that is a
        whole term, or starts with a prefix term, is a hit at the verb's place. Lower-case only:
        German nouns are capitalised, so the candidates are (nearly) the verbs. Returns the
        matches per field and the sets they hit."""
        out: Joined = []
        present: set[int] = set()
        automaton = self.automaton
        for ft in fields:
            found: list[tuple[int, int, int]] = []
            text = ft.text
            if automaton is not None and text:
                for particle in _WORD_RE.finditer(text):
                    word = particle.group()
                    if word not in particles:
                        continue
                    after = text[particle.end() : particle.end() + 3].lstrip(" ")
                    if after and not _CLAUSE_END.match(after):
                        continue
                    # Just past the last clause end before the particle (read backwards, not
                    # from the text's start for every particle).
                    clause_start = 1 + max(
                        text.rfind(c, 0, particle.start()) for c in _CLAUSE_END_CHARS
                    )
                    words = list(_WORD_RE.finditer(text, clause_start, particle.start()))
                    for w in words[-SEPARABLE_REACH:]:
                        verb = w.group()
                        if not verb[:1].islower() or verb in particles:
                            continue
                        padded = normalize(word + verb).text
                        for pid, s, e in automaton.find_matches_as_indexes(
                            padded, overlapping=True
                        ):
                            if s != 0:
                                continue
                            terms = self.terms[pid]
                            whole = e == len(padded)
                            sets = [t[0] for t in terms if t[1] is None and (t[2] or whole)]
                            if sets:
                                found.append((pid, w.start(), w.end()))
                                present.update(sets)
            out.append(found)
        return out, present

    def context(
        self,
        article: Article,
        fields: list[FieldText],
        matches: Matches,
        sets: Container[int] | None = None,
        joined: Joined | None = None,
    ) -> ArticleContext:
        """Hits of ``sets`` (every set when ``None``), grouped by set, in original offsets;
        ``joined``: separable verbs read whole (:meth:`joined`)."""
        hits: dict[int, list[Hit]] = {}
        wanted = self.all_sets if sets is None else sets
        for fi, ft in enumerate(fields):
            if matches[fi]:
                self._add_hits(hits, ft, fi, matches[fi], wanted)
            if joined is not None and joined[fi]:
                for pid, start, end in joined[fi]:
                    for set_id, cased_form, _prefix, value, _accented in self.terms[pid]:
                        if cased_form is None and set_id in wanted:
                            hits.setdefault(set_id, []).append(
                                _new_hit(Hit, (set_id, fi, start, end, value))
                            )
        if joined is not None and any(joined):
            for bucket in hits.values():
                bucket.sort(key=lambda h: (h.field, h.start))
        return ArticleContext(article, hits, fields)

    def _add_hits(
        self,
        hits: dict[int, list[Hit]],
        ft: FieldText,
        fi: int,
        found: list[tuple[int, int, int]],
        sets: Container[int],
    ) -> None:
        """Whole-word hits of ``found`` in ``sets``, appended to their set's list in match
        order; exact-case terms are checked on the original text."""
        simple = self.simple
        terms = self.terms
        norm = ft.norm
        ntext = norm.text
        offsets = norm.offsets
        original = ft.text
        get = hits.get
        for pid, s, e in found:
            plain = simple[pid]
            if plain is not None:
                # the common pattern: whole words, any case; its span is known at once
                start, end = (s, e - 2) if offsets is None else (offsets[s], offsets[e - 2])
                for set_id, value in plain:
                    if set_id in sets:
                        hit = _new_hit(Hit, (set_id, fi, start, end, value))
                        bucket = get(set_id)
                        if bucket is None:
                            hits[set_id] = [hit]
                        else:
                            bucket.append(hit)
                continue
            for set_id, cased_form, prefix, value, accented in terms[pid]:
                if set_id not in sets:
                    continue
                we = ntext.index(" ", e) if prefix else e - 1
                if offsets is None:
                    start, end = s, we - 1
                else:
                    start, end = offsets[s], offsets[we - 1]
                if cased_form is not None:
                    seg = original[start:end]
                    if accented:
                        if " ".join(unicodedata.normalize("NFC", seg).split()).casefold() != (
                            cased_form
                        ):
                            continue
                    # cased_form is already normalised, so an identical span needs no folding
                    elif seg != cased_form and normalize_cased(seg) != cased_form:
                        continue
                hit = _new_hit(Hit, (set_id, fi, start, end, value))
                bucket = get(set_id)
                if bucket is None:
                    hits[set_id] = [hit]
                else:
                    bucket.append(hit)


def collect_hits(pack: CompiledPack, article: Article) -> ArticleContext:
    """Scan every field once and keep every set's hits (tests and tools; the engine is lazier)."""
    scanner = Scanner(pack)
    fields = article_fields(article)
    matches, _ = scanner.matches(fields)
    return scanner.context(article, fields, matches)
