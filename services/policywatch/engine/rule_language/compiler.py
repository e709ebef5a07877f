"""Compiling a :class:`RuleSet` into one Aho-Corasick automaton plus indexed rules.

Every term of every list, gazetteer, cue set and rule becomes one or more patterns
(``" lift sanctions "``, ``" lifted sanctions "``...; in stemmed languages one stem-prefix
pattern, ``" санкц"``) in a single automaton. A pattern maps to
the *sets* it belongs to (a named list, a rule's inline term, a language's entities, a cue set);
rules are indexed by the sets of their triggers, so an article only ever wakes the rules whose
triggers it contains.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick_rs

from policywatch.engine.rule_language.conditions import (
    CompiledCondition,
    CompiledGuard,
    compile_condition,
)
from policywatch.engine.rule_language.loader import LoadedFile, RuleSet
from policywatch.engine.rule_language.spec import Condition, ListSpec, RuleSpec
from policywatch.engine.text.inflect import inflector_for, phrase_forms
from policywatch.engine.text.normalize import normalize, normalize_cased, words_of
from policywatch.errors import RuleError, RuleErrors

__all__ = [
    "CompiledPack",
    "CompiledRule",
    "CueSet",
    "LanguagePack",
    "TermInfo",
    "compile_rules",
]


@dataclass(frozen=True, slots=True)
class TermInfo:
    """One term behind a pattern. ``cased``: the form the original text must show, with
    ``accented`` compared case-insensitively but with its accents ("würde", not "wurde"),
    otherwise with its case but without them ("US", not "us")."""

    set_id: int
    cased: str | None
    prefix: bool
    value: str | None
    accented: bool = False


@dataclass(frozen=True, slots=True)
class CueSet:
    set_id: int
    name: str
    effect: str
    factor: float
    before: int
    after: int
    #: The cue does not count where it is the decision's object ("sanctions on judges of the
    #: Supreme Court": the court is sanctioned, it does not rule).
    not_as_object: bool = False
    #: The cue does not count after a speech verb ("said the troops would withdraw").
    not_in_report: bool = False
    #: A veto by this cue in the headline hedges the article's news of the rule's type.
    hedge: bool = False
    #: The cue names the trigger's subject: it does not reach across a comma or a target
    #: preposition ("a maker has halted", not "entities, including banks, from its list" or
    #: "added 140 companies to its entity list").
    subject: bool = False


@dataclass(frozen=True)
class LanguagePack:
    language: str
    entity_set: int
    entity_names: dict[str, str]
    cues: tuple[CueSet, ...]
    break_sets: frozenset[int]
    shield_sets: frozenset[int]
    target_prepositions: frozenset[str]
    agent_prepositions: frozenset[str]
    speech_verbs: frozenset[str]
    skip_words: frozenset[str]
    genitive_articles: frozenset[str] = frozenset()
    subject_after_verb: bool = False
    owner_after_noun: bool = True
    restriction_kinds: frozenset[str] = frozenset()
    passive_markers: frozenset[str] = frozenset()
    destination_prepositions: frozenset[str] = frozenset()
    separable_particles: frozenset[str] = frozenset()
    recipient_verbs: frozenset[str] = frozenset()
    completion_words: frozenset[str] = frozenset()
    bracket_auxiliaries: frozenset[str] = frozenset()
    restriction_sets: frozenset[int] = frozenset()
    permission_sets: frozenset[int] = frozenset()
    #: Normalised month-name forms to their month (1-12); see :mod:`chronology`.
    months: dict[str, int] = field(default_factory=dict)
    month_markers: frozenset[str] = frozenset()
    date_relatives: frozenset[str] = frozenset()
    date_current: frozenset[str] = frozenset()
    #: Phrases (as word tuples) that make a following date a reference point.
    date_references: frozenset[tuple[str, ...]] = frozenset()
    #: Headline labels (as word tuples) of pieces that report no decision ("opinion").
    genres: frozenset[tuple[str, ...]] = frozenset()


@dataclass(frozen=True)
class CompiledRule:
    spec: RuleSpec
    language: str
    trigger_sets: frozenset[int]
    when: CompiledCondition | None
    guards: tuple[CompiledGuard, ...]
    #: Groups of sets of which one must have a hit in the article (the triggers first).
    required: tuple[frozenset[int], ...]
    cues: tuple[CueSet, ...]
    instrument_sets: tuple[int, ...]


@dataclass
class CompiledPack:
    automaton: ahocorasick_rs.AhoCorasick | None
    pattern_terms: list[tuple[TermInfo, ...]]
    rules: tuple[CompiledRule, ...]
    rules_by_trigger: dict[int, tuple[CompiledRule, ...]]
    languages: dict[str, LanguagePack]
    phrase_count: int
    set_names: dict[int, str] = field(default_factory=dict)


class _Builder:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.errors: list[RuleError] = []
        self.set_ids: dict[tuple[str, ...], int] = {}
        self.patterns: dict[str, list[TermInfo]] = {}
        self.phrases: set[tuple[int, str]] = set()
        #: Lists marked ``with_trigger``; filled by _build_lists before any rule is compiled.
        self.with_trigger: frozenset[int] = frozenset()

    def set_id(self, *key: str) -> int:
        if key not in self.set_ids:
            self.set_ids[key] = len(self.set_ids)
        return self.set_ids[key]

    def add_term(
        self,
        text: str,
        set_id: int,
        language: str,
        *,
        inflect: bool,
        value: str | None = None,
        where: tuple[LoadedFile, tuple[str | int, ...]] | None = None,
        accents: bool = False,
    ) -> None:
        if "ß" in text:
            # Swiss German writes "ss" for "ß" ("Massnahmen", "weisse Liste"): both spellings
            # are the term.
            self.add_term(
                text.replace("ß", "ss"),
                set_id,
                language,
                inflect=inflect,
                value=value,
                where=where,
                accents=accents,
            )
        cased: str | None = None
        prefix = False
        body = text
        if body.startswith("="):
            body, cased, inflect = body[1:], normalize_cased(body[1:]), False
        elif accents:
            cased, inflect = " ".join(body.split()).casefold(), False
        if body.endswith("*"):
            body, prefix, inflect = body[:-1], True, False
        words = words_of(body)
        if not words or (cased is not None and prefix) or "*" in body or "$" in body:
            msg = f"invalid term {text!r}"
            if where is not None:
                self.errors.append(
                    RuleError(msg, file=where[0].path, line=where[0].line_of(where[1]))
                )
            else:
                self.errors.append(RuleError(msg))
            return
        self.phrases.add((set_id, " ".join(words)))
        forms = phrase_forms(words, language, raw=body) if inflect else [(tuple(words), prefix)]
        spaced = normalize(body).text.strip()
        if not inflect and spaced != " ".join(words):
            # Text keeps its length when folded, so punctuation before a space leaves two
            # spaces ("S. Korea" reads ``s  korea``): the term must show them too.
            forms.append((tuple(spaced.split(" ")), prefix))
        for form, is_prefix in forms:
            info = TermInfo(set_id, cased, is_prefix, value, accents and not text.startswith("="))
            pattern = " " + " ".join(form) + ("" if is_prefix else " ")
            bucket = self.patterns.setdefault(pattern, [])
            if info not in bucket:
                bucket.append(info)


def _languages(ruleset: RuleSet) -> list[str]:
    langs = {f.model.language for f in ruleset.files} - {"any"}
    return sorted(langs) or ["any"]


def _files_for(ruleset: RuleSet, language: str) -> list[LoadedFile]:
    return [f for f in ruleset.files if f.model.language in (language, "any")]


def _build_language(b: _Builder, language: str) -> LanguagePack:
    files = _files_for(b.ruleset, language)
    entity_set = b.set_id("entity", language)
    names: dict[str, str] = {}
    cues: list[CueSet] = []
    breaks: set[int] = set()
    shields: set[int] = set()
    restrictions: set[int] = set()
    permissions: set[int] = set()
    slot: dict[str, set[str]] = {
        "target_prepositions": set(),
        "agent_prepositions": set(),
        "speech_verbs": set(),
        "skip_words": set(),
        "genitive_articles": set(),
        "restriction_kinds": set(),
        "passive_markers": set(),
        "destination_prepositions": set(),
        "separable_particles": set(),
        "recipient_verbs": set(),
        "completion_words": set(),
        "bracket_auxiliaries": set(),
    }
    inflector = inflector_for(language)
    subject_after_verb = False
    owner_after_noun = True
    months: dict[str, int] = {}
    month_markers: set[str] = set()
    relatives: set[str] = set()
    current: set[str] = set()
    references: set[tuple[str, ...]] = set()
    genres: set[tuple[str, ...]] = set()
    for f in files:
        genres.update(tuple(words_of(g)) for g in f.model.genres if words_of(g))
        calendar = f.model.calendar
        if calendar is not None:
            # Both the folded form and the plain lower-case one: dates are read with
            # str.casefold (cheap), and text may or may not carry its accents.
            for number, forms in enumerate(calendar.months, 1):
                for form in forms:
                    months.update(dict.fromkeys([*words_of(form), form.casefold()], number))
            for marker in calendar.month_markers:
                month_markers.update([*words_of(marker), marker.casefold()])
            for relative in calendar.relatives:
                relatives.update([*words_of(relative), relative.casefold()])
            for word in calendar.current:
                current.update([*words_of(word), word.casefold()])
            for ref in calendar.references:
                for words in (words_of(ref), ref.casefold().split()):
                    if words:
                        references.add(tuple(words))
        for code, ent in f.model.entities.items():
            names.setdefault(code, ent.name)
            for i, term in enumerate(ent.terms):
                b.add_term(
                    term,
                    entity_set,
                    language,
                    inflect=False,
                    value=code,
                    where=(f, ("entities", code, "terms", i)),
                )
        for i, term in enumerate(f.model.non_entities):
            b.add_term(term, entity_set, language, inflect=False, where=(f, ("non_entities", i)))
        for name, cue in f.model.cues.items():
            sid = b.set_id("cue", language, name)
            for i, term in enumerate(cue.terms):
                b.add_term(
                    term,
                    sid,
                    language,
                    inflect=cue.inflect,
                    accents=cue.accents,
                    where=(f, ("cues", name, "terms", i)),
                )
            if cue.effect == "break":
                breaks.add(sid)
            elif cue.effect == "shield":
                shields.add(sid)
            elif cue.effect == "restriction":
                restrictions.add(sid)
            elif cue.effect == "permission":
                permissions.add(sid)
            else:
                cues.append(
                    CueSet(
                        sid,
                        name,
                        cue.effect,
                        cue.factor,
                        cue.before,
                        cue.after,
                        cue.not_as_object,
                        cue.not_in_report,
                        cue.hedge,
                        cue.subject,
                    )
                )
        if f.model.slot_words is not None:
            subject_after_verb = subject_after_verb or f.model.slot_words.subject_after_verb
            owner_after_noun = owner_after_noun and f.model.slot_words.owner_after_noun
            flags = {"subject_after_verb", "owner_after_noun"}
            for key, words in f.model.slot_words.model_dump(exclude=flags).items():
                for w in words:
                    for ww in words_of(w):
                        slot[key].update(
                            inflector(ww)
                            if inflector and key in ("speech_verbs", "recipient_verbs")
                            else {ww}
                        )
    return LanguagePack(
        language=language,
        entity_set=entity_set,
        entity_names=names,
        cues=tuple(cues),
        break_sets=frozenset(breaks),
        # A cue word inside a state's or bloc's name ("Arab League") is part of the name.
        shield_sets=frozenset(shields) | {entity_set},
        target_prepositions=frozenset(slot["target_prepositions"]),
        agent_prepositions=frozenset(slot["agent_prepositions"]),
        speech_verbs=frozenset(slot["speech_verbs"]),
        skip_words=frozenset(slot["skip_words"]),
        genitive_articles=frozenset(slot["genitive_articles"]),
        subject_after_verb=subject_after_verb,
        owner_after_noun=owner_after_noun,
        restriction_kinds=frozenset(slot["restriction_kinds"]),
        passive_markers=frozenset(slot["passive_markers"]),
        destination_prepositions=frozenset(slot["destination_prepositions"]),
        separable_particles=frozenset(slot["separable_particles"]),
        recipient_verbs=frozenset(slot["recipient_verbs"]),
        completion_words=frozenset(slot["completion_words"]),
        bracket_auxiliaries=frozenset(slot["bracket_auxiliaries"]),
        restriction_sets=frozenset(restrictions),
        permission_sets=frozenset(permissions),
        months=months,
        month_markers=frozenset(month_markers),
        date_relatives=frozenset(relatives),
        date_current=frozenset(current),
        date_references=frozenset(references),
        genres=frozenset(genres),
    )


def _build_lists(b: _Builder) -> None:
    for f in b.ruleset.files:
        lang = f.model.language
        for name, spec in f.model.lists.items():
            sid = b.set_id("list", lang, name)
            lst = spec if isinstance(spec, ListSpec) else ListSpec(terms=spec)
            if lst.with_trigger:
                b.with_trigger |= {sid}
            entries: list[tuple[str, str | None, tuple[LoadedFile, tuple[str | int, ...]]]] = [
                (term, None, (f, ("lists", name, i))) for i, term in enumerate(lst.terms)
            ]
            for value, terms in lst.values.items():
                entries += [(t, value, (f, ("lists", name))) for t in (value, *terms)]
            for text, term_value, where in entries:
                b.add_term(
                    text,
                    sid,
                    lang,
                    inflect=lst.inflect,
                    accents=lst.accents,
                    value=term_value,
                    where=where,
                )


def _leaf(
    b: _Builder, ref: str, language: str, where: tuple[LoadedFile, tuple[str | int, ...]]
) -> int:
    if ref.startswith("$"):
        key = ("list", language, ref[1:])
        return b.set_ids.get(key, b.set_ids.get(("list", "any", ref[1:]), -1))
    key = ("inline", language, ref)
    if key in b.set_ids:
        return b.set_ids[key]
    sid = b.set_id(*key)
    b.add_term(ref, sid, language, inflect=True, where=where)
    return sid


def _condition(
    b: _Builder, c: Condition, language: str, where: tuple[LoadedFile, tuple[str | int, ...]]
) -> CompiledCondition:
    return compile_condition(c, lambda ref: _leaf(b, ref, language, where), b.with_trigger)


def _build_rule(
    b: _Builder, f: LoadedFile, index: int, rule: RuleSpec, pack: LanguagePack
) -> CompiledRule:
    lang = pack.language if f.model.language == "any" else f.model.language
    base: tuple[str | int, ...] = ("rules", index)
    triggers = frozenset(_leaf(b, t, lang, (f, (*base, "trigger"))) for t in rule.trigger)
    when = _condition(b, rule.when, lang, (f, (*base, "when"))) if rule.when is not None else None
    guards = tuple(
        CompiledGuard(g.scope, g.window, _condition(b, g.when, lang, (f, (*base, "unless", i))))
        for i, g in enumerate(rule.unless)
    )
    required = (triggers, *(when.required if when is not None else ()))
    skip = set(rule.skip_cues)
    return CompiledRule(
        spec=rule,
        language=lang,
        trigger_sets=triggers,
        when=when,
        guards=guards,
        required=tuple(required),
        cues=tuple(c for c in pack.cues if c.name not in skip),
        instrument_sets=tuple(
            _leaf(b, t, lang, (f, (*base, "instruments"))) for t in rule.instruments
        ),
    )


def compile_rules(ruleset: RuleSet) -> CompiledPack:
    """Compile a loaded rule set; raises :class:`RuleErrors` for terms that cannot match."""
    b = _Builder(ruleset)
    _build_lists(b)
    packs = {lang: _build_language(b, lang) for lang in _languages(ruleset)}
    rules: list[CompiledRule] = []
    for f in ruleset.files:
        targets: Iterable[str] = packs if f.model.language == "any" else [f.model.language]
        for i, rule in enumerate(f.model.rules):
            if not rule.enabled:
                continue
            for lang in targets:
                rules.append(_build_rule(b, f, i, rule, packs[lang]))
    if b.errors:
        raise RuleErrors(b.errors)
    by_trigger: dict[int, list[CompiledRule]] = {}
    for r in rules:
        for sid in r.trigger_sets:
            by_trigger.setdefault(sid, []).append(r)
    patterns = list(b.patterns)
    automaton = (
        ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.Standard)
        if patterns
        else None
    )
    return CompiledPack(
        automaton=automaton,
        pattern_terms=[tuple(b.patterns[p]) for p in patterns],
        rules=tuple(rules),
        rules_by_trigger={k: tuple(v) for k, v in by_trigger.items()},
        languages=packs,
        phrase_count=len(b.phrases),
        set_names={v: ":".join(k) for k, v in b.set_ids.items()},
    )
