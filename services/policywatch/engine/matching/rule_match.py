"""Matching one rule at one trigger hit: scope, condition, exceptions, cues, slots."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from policywatch.engine.matching.ban_types import ban_type
from policywatch.engine.matching.blocs import BLOC_MEMBERS
from policywatch.engine.matching.chronology import Anchor, anchor_near
from policywatch.engine.matching.scanner import ArticleContext, Hit
from policywatch.engine.matching.slots import (
    Mention,
    extract_slots,
    governed,
    with_destination,
)
from policywatch.engine.matching.trace import Trace, describe_condition, reject
from policywatch.engine.rule_language.compiler import CompiledRule, CueSet, LanguagePack
from policywatch.engine.rule_language.conditions import AllCond, AnyCond, Cond, NotCond, SetCond
from policywatch.engine.text.headlines import dateline_end
from policywatch.engine.text.normalize import words_of
from policywatch.engine.text.sentences import count_words, words_in
from policywatch.models import REVERSED, REVOKED, Entity, Evidence

__all__ = ["Candidate", "ScopeSpan", "match_rule"]

#: ``(field or None for the whole article, start, end)``.
ScopeSpan = tuple[int | None, int, int]

#: Punctuation that closes a clause inside a sentence: no cue reaches across it ("the earlier
#: curbs fall away: Kyiv may now strike ...").
_CLAUSE_ENDS = frozenset(";:")
#: What closes the clause a verb bracket lies in.
_BRACKET_ENDS = frozenset(",;:()")
#: A live blog's entry opens with its time ("16:15 China has suspended ..."): each entry is
#: told as a lead of its own, not as background to the first.
_ENTRY_TIME = re.compile(r"\d{1,2}[:.h]\d{2}\b")


def _opens_entry(text: str, start: int) -> bool:
    """The sentence at ``start`` opens a paragraph that opens with a time of day."""
    line = text.rfind("\n", 0, start) + 1
    return not text[line:start].strip() and _ENTRY_TIME.match(text, start) is not None


#: Sentences of the body that form the lead (with the title).
LEAD_SENTENCES = 3
#: Confidence factor when the actor is only known as the speaker ("..., the Pentagon said").
SPEAKER_FACTOR = 0.9


@dataclass(frozen=True)
class Candidate:
    """A rule's match before deduplication: one per (rule, trigger hit) that survived."""

    rule: CompiledRule
    confidence: float
    actor: Entity
    target: Entity | None
    instruments: tuple[str, ...]
    evidence: Evidence
    field: int
    start: int
    #: The rule's event type, or its opposite when a reversal governs the trigger.
    event_type: str
    #: Where the candidate's sentence starts, and whether it is in the title or the lead.
    sentence_start: int = 0
    lead: bool = True
    #: The words from the first to the last term the match used ("lifted its arms embargo").
    event_text: str = ""
    #: Why the candidate reads as it does ("reversed by 'lifted'"), for ``scan --explain``.
    notes: tuple[str, ...] = ()


#: How many words before a clause-final trigger its auxiliary may stand ("hat ... ausgesetzt").
BRACKET_REACH = 20


def _scope(
    rule_scope: str,
    window: int,
    ctx: ArticleContext,
    hit: Hit,
    brackets: frozenset[str] = frozenset(),
) -> ScopeSpan | None:
    """The span a rule's condition is read in. With ``brackets`` (German), a window reaches
    back past its width to the finite auxiliary that opens the trigger's verb bracket: in "die
    USA haben die Soforthilfe für das Land in Höhe von 700 Millionen Dollar ausgesetzt", the
    middle of the bracket is the participle's object, however long."""
    ft = ctx.fields[hit.field]
    if rule_scope == "article":
        return (None, 0, 1 << 62)
    if rule_scope == "title":
        return (hit.field, 0, len(ft.text)) if ft.name == "title" else None
    if rule_scope == "lead":
        if ft.name == "title":
            return (hit.field, 0, len(ft.text))
        end = ft.lead_end(LEAD_SENTENCES)
        return (hit.field, 0, end) if hit.end <= end else None
    s_start, s_end = ft.sentence_at(hit.start)
    if rule_scope == "sentence":
        return (hit.field, s_start, s_end)
    starts, ends = ft.word_spans(s_start, s_end)
    if not starts:
        return (hit.field, s_start, s_end)
    first = max(bisect_right(starts, hit.start) - 1, 0)
    last = max(bisect_right(starts, hit.end - 1) - 1, first)
    lo = starts[max(first - window, 0)]
    hi = ends[min(last + window, len(starts) - 1)]
    if brackets and first > window:
        lo = min(lo, _bracket_start(ft.text, starts, ends, first, window, brackets))
    return (hit.field, min(lo, hit.start), max(hi, hit.end))


#: How many characters before a trigger hold the two words :func:`_with_first_conjunct` looks at.
_NEAR_CHARS = 48


def _with_first_conjunct(
    ctx: ArticleContext, hit: Hit, scope: ScopeSpan, window: int, pack: LanguagePack
) -> ScopeSpan:
    """The condition's span reaches back over a first conjunct when the trigger is the second
    of two measures ("imposed an arms embargo on the country **and sanctions** on two
    officers"): the second shares the first one's predicate, which may stand beyond the
    window. Only where a measure stands right before the conjunction's clause part."""
    field, lo, hi = scope
    ft = ctx.fields[hit.field]
    text = ft.text
    s_start, _ = ft.sentence_at(hit.start)
    # This runs for every windowed rule match: look at the two words before the trigger in a
    # short stretch first (its first word may be cut, so it needs three), and split the
    # sentence into words only when a conjunction stands there.
    near = words_in(text, max(s_start, hit.start - _NEAR_CHARS), hit.start)
    last = near[-2:] if len(near) >= 3 or hit.start - _NEAR_CHARS <= s_start else None
    if last is not None and not any(w.group().casefold() in _CONJUNCTIONS for w in last):
        return scope
    starts, ends = ft.word_spans(s_start, hit.start)
    if len(starts) < 2:
        return scope
    k = len(starts) - 1
    if text[starts[k] : ends[k]].casefold() not in _CONJUNCTIONS:
        k -= 1  # one determiner may stand between: "and new sanctions", "et des sanctions"
        if k < 0 or text[starts[k] : ends[k]].casefold() not in _CONJUNCTIONS:
            return scope
    conj = starts[k]
    reach = starts[max(k - 2 * window, 0)]
    if _CLAUSE_ENDS.intersection(text[reach:conj]):
        return scope
    for sid in pack.restriction_sets:
        for r in ctx.hits.get(sid, ()):
            if r.field == hit.field and reach <= r.start and r.end <= conj:
                return (field, min(lo, reach), hi)
    return scope


def _bracket_start(
    text: str, starts: list[int], ends: list[int], first: int, window: int, brackets: frozenset[str]
) -> int:
    """Where the auxiliary that opens the trigger's verb bracket stands, within
    :data:`BRACKET_REACH` words and the trigger's clause; else past the window's start."""
    floor = max(first - BRACKET_REACH, 0)
    for k in range(first - window - 1, floor - 1, -1):
        if _BRACKET_ENDS.intersection(text[ends[k] : starts[k + 1]]):
            break
        word = words_of(text[starts[k] : ends[k]])
        if word and word[0] in brackets:
            return starts[k]
    return starts[first - window]


def _may_hold(rule: CompiledRule, ctx: ArticleContext, hit: Hit) -> bool:
    """A cheap necessary condition for ``when`` in a sentence or window scope: each group of
    sets it requires (``rule.required[1:]``) has a hit in the trigger's paragraph (a newline
    always ends a sentence, and finding one costs two ``str.find``), then in its sentence."""
    groups = rule.required[1:]
    if not groups:
        return True
    text = ctx.fields[hit.field].text
    p_start = text.rfind("\n", 0, hit.start) + 1
    p_end = text.find("\n", hit.end)
    if not _groups_within(groups, ctx, hit.field, p_start, len(text) if p_end < 0 else p_end):
        return False
    s_start, s_end = ctx.fields[hit.field].sentence_at(hit.start)
    return _groups_within(groups, ctx, hit.field, min(s_start, hit.start), max(s_end, hit.end))


def _groups_within(
    groups: tuple[frozenset[int], ...], ctx: ArticleContext, field: int, start: int, end: int
) -> bool:
    """Every group has a hit of one of its sets inside ``[start, end)`` of ``field``."""
    hits = ctx.hits
    for group in groups:
        for sid in group:
            for h in hits.get(sid, ()):
                if h.field == field and start <= h.start and h.end <= end:
                    break
            else:
                continue
            break
        else:
            return False
    return True


def _in(h: Hit, scope: ScopeSpan) -> bool:
    field, start, end = scope
    return (field is None or h.field == field) and start <= h.start and h.end <= end


def _holds(
    cond: Cond,
    ctx: ArticleContext,
    scope: ScopeSpan,
    avoid: Hit | None,
    used: list[Hit],
    within: Hit | None = None,
) -> bool:
    """Whether ``cond`` holds in ``scope``, not counting hits that overlap ``avoid`` (the
    trigger) nor hits strictly inside ``within`` (an exception is not made by a word of the
    trigger's own phrase: "lifts the pause on" names no second pause, while "export
    restrictions" around the trigger "restrictions" is a phrase of its own); the hits that made
    it hold are appended to ``used``."""
    # Exact type tests, not isinstance: the node types are never subclassed, and this runs for
    # every trigger hit of every woken rule.
    if type(cond) is SetCond:
        # _in() inlined: this loop is the engine's hottest.
        field, start, end = scope
        for h in ctx.hits.get(cond.set_id, ()):
            if ((field is None or h.field == field) and start <= h.start and h.end <= end) and (
                avoid is None
                or cond.with_trigger
                or h.field != avoid.field
                or h.end <= avoid.start
                or h.start >= avoid.end
            ):
                if (
                    within is not None
                    and h.field == within.field
                    and within.start <= h.start
                    and h.end <= within.end
                    and h.end - h.start < within.end - within.start
                ):
                    continue
                used.append(h)
                return True
        return False
    # Loops rather than all()/any() over generators: cheaper on this path.
    if type(cond) is AllCond:
        for c in cond.parts:  # noqa: SIM110
            if not _holds(c, ctx, scope, avoid, used, within):
                return False
        return True
    if type(cond) is AnyCond:
        for c in cond.parts:  # noqa: SIM110
            if _holds(c, ctx, scope, avoid, used, within):
                return True
        return False
    assert type(cond) is NotCond
    return not _holds(cond.part, ctx, scope, avoid, [], within)


def _cue_factor(
    rule: CompiledRule,
    ctx: ArticleContext,
    hit: Hit,
    pack: LanguagePack,
    applied: list[tuple[str, CueSet, Hit]] | None = None,
    start: int | None = None,
) -> tuple[float, Hit | None]:
    """1.0 when no cue applies, a smaller factor for downgrades, 0.0 for a veto; and the
    reversal ("lift", "halt") that governs a restrictive rule's trigger, if one does. With
    ``applied`` (tracing), each cue that applied is appended with its hit.

    ``start``: where the event's words begin when a condition word precedes the trigger
    ("had announced a relief of sanctions", trigger "sanctions"): a cue before the event is
    measured to its first word, since that is the predicate the cue governs."""
    event_start = hit.start if start is None else min(start, hit.start)
    ft = ctx.fields[hit.field]
    s_start, s_end = ft.sentence_at(hit.start)
    text = ft.text
    first = _first_conjunct(text, s_start, hit)
    if first is not None:
        event_start = min(event_start, first)
    factor = 1.0
    reversal: Hit | None = None
    reversible = rule.spec.event_type in REVERSED
    revocable = rule.spec.event_type in REVOKED
    for cue in rule.cues:
        if cue.effect == "reverse" and (not reversible or reversal is not None):
            continue
        if cue.effect == "revoke" and (not revocable or reversal is not None):
            continue
        for c in ctx.hits.get(cue.set_id, ()):
            if c.field != hit.field or c.start < s_start or c.end > s_end:
                continue
            if c.end <= hit.start:
                nearest = event_start if c.end <= event_start else hit.start
                if count_words(text, c.end, nearest) > cue.before:
                    continue
                gap = (c.end, nearest)
            elif c.start >= hit.end:
                if cue.after == 0 or count_words(text, hit.end, c.start) > cue.after:
                    continue
                gap = (hit.end, c.start)
                # ", freezing their assets" after "imposed sanctions on five officials"
                # says how the event was done; it is no second predicate on the event.
                if cue.effect in ("reverse", "revoke") and _after_comma(text, gap):
                    continue
            elif cue.effect == "reverse" and _governs_restriction(ctx, pack, hit, s_end):
                reversal = c
                if applied is not None:
                    applied.append(("reverse", cue, c))
                break
            else:
                continue
            if _CLAUSE_ENDS.intersection(text[gap[0] : gap[1]]):
                continue
            if cue.subject and _not_subject(text, gap, pack):
                continue
            if _spans(ctx, pack.break_sets, hit.field, gap) or _spans(
                ctx, pack.shield_sets, hit.field, (c.start, c.end), contains=True
            ):
                continue
            if cue.not_as_object and _object_of_decision(text, c.start, pack):
                continue
            if cue.hedge and c.end <= hit.start and _completed(text, s_start, c.start, pack):
                continue
            if cue.not_in_report and _reported(ctx, hit, (s_start, s_end), c.start, pack):
                continue
            if cue.effect in ("reverse", "revoke"):
                # Composition: lift + ban is permissive, but end + arms sales restricts. The
                # reversal counts only where a restriction stands between it and the trigger,
                # or is the trigger itself; a revocation, only where a permission does
                # ("suspended the permits that allowed ...").
                around = (min(c.start, hit.start), max(c.end, hit.end))
                objects = pack.restriction_sets if cue.effect == "reverse" else pack.permission_sets
                if not _spans(ctx, objects, hit.field, around, besides=c):
                    continue
                reversal = c
                if applied is not None:
                    applied.append((cue.effect, cue, c))
                break
            if applied is not None:
                applied.append((cue.effect, cue, c))
            if cue.effect == "veto":
                return 0.0, None
            factor *= cue.factor
            break
    return factor, reversal


def _after_comma(text: str, gap: tuple[int, int]) -> bool:
    """Whether a comma closes ``text[gap]``, so the word after the gap opens an adjunct."""
    return text[gap[0] : gap[1]].rstrip().endswith(",")


#: How many words before a coordinated trigger its first conjunct may begin.
_CONJUNCT_REACH = 16


def _first_conjunct(text: str, s_start: int, hit: Hit) -> int | None:
    """Where the first of coordinated verbs of one form begins, when the trigger is a later
    one ("proposed **suspending** trade perks and **imposing** sanctions"): what governs the
    first governs the others, so a cue before it is measured to it. ``None`` when no
    conjunction stands right before the trigger, or no earlier word of the trigger's ending
    (the last three letters) does in its clause."""
    # The word right before the trigger, read by hand: this runs for every candidate that
    # reaches the cues.
    end = hit.start
    while end > s_start and text[end - 1].isspace():
        end -= 1
    begin = end
    while begin > s_start and text[begin - 1].isalpha():
        begin -= 1
    if text[begin:end].casefold() not in _CONJUNCTIONS:
        return None
    words = words_in(text, max(s_start, hit.start - 160), hit.start)
    if len(words) < 2:
        return None
    trigger = words_of(text[hit.start : hit.end])
    if not trigger or len(trigger[0]) < 5:
        return None
    ending = trigger[0][-3:]
    for w in reversed(words[-_CONJUNCT_REACH:-1]):
        # A comma ends the coordination: before it stands another clause ("Britain, whose
        # envoy was not surprised, expelled ... and imposed ...").
        if _CLAUSE_ENDS.intersection(text[w.end() : hit.start]) or "," in text[w.end() : hit.start]:
            return None
        folded = words_of(w.group())
        if folded and len(folded[0]) >= 5 and folded[0].endswith(ending):
            return w.start()
    return None


def _not_subject(text: str, gap: tuple[int, int], pack: LanguagePack) -> bool:
    """A comma or a target preposition between a noun and the trigger: the noun is no subject
    of the trigger ("added 140 companies **to** its entity list")."""
    return "," in text[gap[0] : gap[1]] or any(
        w.group().casefold() in pack.target_prepositions for w in words_in(text, *gap)
    )


#: How far before a cue word a target preposition makes it the decision's object.
_OBJECT_REACH = 6


def _object_of_decision(text: str, start: int, pack: LanguagePack) -> bool:
    """A target preposition stands among the few words before ``start`` ("on judges of the")."""
    words = words_in(text, max(start - 60, 0), start)[-_OBJECT_REACH:]
    return any(w.group().casefold() in pack.target_prepositions for w in words)


#: How many words (of three letters or more: "of", "de" do not count) before a hedging cue a
#: completion word may stand ("after weeks of talks", "después de semanas de negociaciones");
#: further off it opens another clause ("after reports that Berlin might ...").
_COMPLETION_REACH = 3


def _completed(text: str, s_start: int, start: int, pack: LanguagePack) -> bool:
    """A completion word stands among the few words before ``start``, in its clause: the
    process the cue names is over ("**after** weeks of negotiations, the EU approved")."""
    if not pack.completion_words:
        return False
    floor = max(s_start, start - 80)
    stop = max(text.rfind(",", floor, start), text.rfind(";", floor, start))
    words = [w for w in words_in(text, max(floor, stop + 1), start) if len(w.group()) > 2]
    for w in words[-_COMPLETION_REACH:]:
        folded = words_of(w.group())
        if folded and folded[0] in pack.completion_words:
            return True
    return False


#: How many words before a cue a speech verb makes it reported speech.
_REPORT_REACH = 10
#: How many words after the comma that ends the trigger's clause a speech verb may stand.
_REPORT_AFTER = 2


def _reported(
    ctx: ArticleContext, hit: Hit, sentence: tuple[int, int], start: int, pack: LanguagePack
) -> bool:
    """A speaker tells its own future: a speech verb stands among the few words before
    ``start`` ("France said its troops would"), and no other state is named between them. When
    one is ("Macron said the EU would lift"), the speaker forecasts another's decision.

    The reporting clause may also follow the trigger's clause, after a comma ("die Zahlungen
    würden ausgesetzt, teilte die Ministerin mit"; "its troops would leave, Paris said"): then
    no state may be named before ``start`` but the speaker."""
    s_start, s_end = sentence
    text = ctx.fields[hit.field].text
    words = words_in(text, s_start, start)[-_REPORT_REACH:]
    verb = None
    for w in reversed(words):
        if _speech_verb(w, pack):
            verb = w
            break
    mentions = ctx.mentions(hit.field, pack)

    ends = frozenset(m.end for m in mentions)

    def subjects(begin: int, end: int) -> set[str]:
        # A state after a preposition is an object ("its aid to Mali would"), not a subject.
        return {
            m.code
            for m in mentions
            if begin <= m.start and m.end <= end and not governed(text, s_start, m, ends, pack)
        }

    if verb is not None:
        speaker = [m.code for m in mentions if s_start <= m.start and m.end <= verb.start()]
        named = subjects(verb.end(), start)
        return not named or (bool(speaker) and named == {speaker[-1]})
    comma = text.find(",", hit.end, s_end)
    if comma < 0:
        return False
    after = words_in(text, comma, min(s_end, comma + 40))[:_REPORT_AFTER]
    verb = next((w for w in after if _speech_verb(w, pack)), None)
    if verb is None:
        return False
    # The speaker stands on either side of its verb (", Berlin said", ", said Berlin").
    speaker = [m.code for m in mentions if comma <= m.start and m.end <= s_end]
    named = subjects(s_start, start)
    return not named or (bool(speaker) and named == {speaker[0]})


def _speech_verb(word: re.Match[str], pack: LanguagePack) -> bool:
    folded = words_of(word.group())
    return bool(folded) and folded[0] in pack.speech_verbs


#: How many words after a reversing trigger its restriction may stand ("suspend its export
#: controls").
_OBJECT_WORDS = 3


#: Words that coordinate two nouns ("asset freezes and travel bans"): a restriction after one
#: of them is a second object of the sentence, not the object of the trigger. A closed class,
#: the same in every pack.
_CONJUNCTIONS = frozenset(
    ["and", "or", "und", "oder", "et", "ou", "y", "o", "e", "и", "или", "і", "й", "та", "або"]
)


def _governs_restriction(ctx: ArticleContext, pack: LanguagePack, hit: Hit, s_end: int) -> bool:
    """The trigger is itself a reversal ("suspend") and a restriction follows it closely."""
    text = ctx.fields[hit.field].text
    for sid in pack.restriction_sets:
        for r in ctx.hits.get(sid, ()):
            if (
                r.field == hit.field
                and hit.end <= r.start < s_end
                and count_words(text, hit.end, r.start) <= _OBJECT_WORDS
                and not _coordinated(text, hit.end, r.start)
            ):
                return True
    return False


def _coordinated(text: str, start: int, end: int) -> bool:
    if "," in text[start:end]:
        return True
    return any(w.group().casefold() in _CONJUNCTIONS for w in words_in(text, start, end))


def _event_start(ctx: ArticleContext, hit: Hit, used: list[Hit], pack: LanguagePack) -> int | None:
    """Where the event's predicate begins when a condition word before the trigger belongs to
    it ("could tighten ... its export controls", trigger "export controls"); ``None`` when
    none does. A state named between them is the subject of the trigger's own clause ("during
    the renewal of sanctions the EU delisted ..."), so the earlier word is not its predicate."""
    s_start, _ = ctx.fields[hit.field].sentence_at(hit.start)
    before = [h.start for h in used if h.field == hit.field and s_start <= h.start < hit.start]
    if not before:
        return None
    start = min(before)
    for m in ctx.mentions(hit.field, pack):
        if start <= m.start and m.end <= hit.start:
            return None
    return start


def _restrictions(
    ctx: ArticleContext, pack: LanguagePack, field: int, sentence: tuple[int, int]
) -> list[tuple[int, int]]:
    """The restriction nouns of the sentence, for the slot extractor's owner check."""
    return [
        (r.start, r.end)
        for sid in pack.restriction_sets
        for r in ctx.hits.get(sid, ())
        if r.field == field and sentence[0] <= r.start and r.end <= sentence[1]
    ]


def _spans(
    ctx: ArticleContext,
    sets: frozenset[int],
    field: int,
    span: tuple[int, int],
    *,
    contains: bool = False,
    besides: Hit | None = None,
) -> bool:
    """A hit of ``sets`` lies inside ``span`` (or, with ``contains``, covers it); with
    ``besides``, hits overlapping that one do not count (a reversal word that is also a
    restriction noun, "imposes asset freezes", does not compose with itself)."""
    for sid in sets:
        for b in ctx.hits.get(sid, ()):
            if b.field != field:
                continue
            if besides is not None and b.start < besides.end and besides.start < b.end:
                continue
            if contains and b.start <= span[0] and span[1] <= b.end:
                return True
            if not contains and b.start >= span[0] and b.end <= span[1]:
                return True
    return False


def _entity(m: Mention, pack: LanguagePack) -> Entity:
    return _entity_model(m.code, pack.entity_names.get(m.code, m.code))


@lru_cache(maxsize=4096)
def _entity_model(code: str, name: str) -> Entity:
    """Entities are frozen, and a gazetteer names a few hundred: build each once."""
    return Entity(code=code, name=name)


def _instruments(rule: CompiledRule, ctx: ArticleContext, sentence: ScopeSpan) -> tuple[str, ...]:
    found: list[tuple[int, int, int, str]] = []
    for sid in rule.instrument_sets:
        for h in ctx.hits.get(sid, ()):
            name = h.value or ctx.fields[h.field].text[h.start : h.end]
            found.append((0 if _in(h, sentence) else 1, h.field, h.start, name))
    seen: dict[str, None] = {}
    for *_, name in sorted(found):
        seen.setdefault(name, None)
    return tuple(seen)


def match_rule(
    rule: CompiledRule,
    ctx: ArticleContext,
    hit: Hit,
    pack: LanguagePack,
    trace: Trace | None = None,
    hedges: dict[str, str] | None = None,
    unattributed: set[str] | None = None,
) -> Candidate | None:
    """The candidate ``rule`` yields at trigger ``hit``, or ``None`` when it does not match.
    With ``trace``, the decisions are recorded as a :class:`~.trace.Step` (``scan --explain``);
    every tracing statement sits behind ``step is not None``, so the default costs nothing.
    With ``hedges``, a match whose condition held but which a ``hedge`` cue vetoed records its
    event type with the cue's name: the engine reads a headline's hedges so. A reversible rule
    records nothing when a reversal stands in the sentence, since the veto leaves its
    direction ("may suspend its export controls") unread. With ``unattributed``, a match that
    failed only for want of a named decider records its event type ("Major powers lift
    sanctions on Iran"): the headline still tells what the news is."""
    spec = rule.spec
    step = trace.begin(rule, ctx, hit) if trace is not None else None
    if spec.scope in ("sentence", "window") and not _may_hold(rule, ctx, hit):
        if step is not None and trace is not None:
            s_start, s_end = ctx.fields[hit.field].sentence_at(hit.start)
            missing = [
                g
                for g in rule.required[1:]
                if not _groups_within((g,), ctx, hit.field, min(s_start, hit.start), s_end)
            ]
            reject(
                step,
                "condition not met: no word of "
                + " nor ".join(trace.group_name(g) for g in missing)
                + " in the trigger's sentence",
            )
        return None
    scope = _scope(spec.scope, spec.window, ctx, hit, pack.bracket_auxiliaries)
    if scope is None:
        if step is not None:
            reject(step, f"outside the rule's scope ({spec.scope})")
        return None
    # German (the packs with verb brackets) declines a participle used as an adjective.
    if pack.bracket_auxiliaries and _attributive_participle(ctx.fields[hit.field].text, hit):
        if step is not None:
            reject(step, "an attributive participle ('die ausgesetzten Zahlungen') names a state")
        return None
    used: list[Hit] = []
    if rule.when is not None and spec.scope == "window":
        scope = _with_first_conjunct(ctx, hit, scope, spec.window, pack)
    if rule.when is not None and not _holds(rule.when.root, ctx, scope, hit, used):
        if trace is not None and step is not None:
            reject(
                step,
                f"condition not met within the {spec.scope}: "
                f"{describe_condition(rule.when.root, trace)}",
            )
        return None
    if trace is not None and step is not None:
        step.conditions = trace.words(ctx, used)
    hits = ctx.hits
    for guard in rule.guards:
        # A guard that needs a set the article never hit cannot hold: skip its scope.
        if any(not any(s in hits for s in group) for group in guard.condition.required):
            continue
        g_span = _scope(guard.scope, guard.window, ctx, hit, pack.bracket_auxiliaries)
        g_used: list[Hit] = []
        if g_span is not None and _holds(guard.condition.root, ctx, g_span, None, g_used, hit):
            if trace is not None and step is not None:
                words = "; ".join(trace.words(ctx, g_used))
                reject(step, f"excluded by 'unless' ({guard.scope}): {words}")
            return None
    tracked = step is not None or hedges is not None
    applied: list[tuple[str, CueSet, Hit]] | None = [] if tracked else None
    factor, reversal = _cue_factor(
        rule, ctx, hit, pack, applied, _event_start(ctx, hit, used, pack)
    )
    if step is not None and applied:
        step.cues = [
            f"{effect} cue {cue.name!r}"
            + (f" (×{cue.factor:g})" if effect == "downgrade" else "")
            + f": {ctx.fields[c.field].text[c.start : c.end]!r}"
            for effect, cue, c in applied
        ]
    if factor <= 0.0:
        if hedges is not None and applied and applied[-1][1].hedge:
            _record_hedge(hedges, rule, ctx, hit, applied[-1][1].name)
        if step is not None and applied:
            _, cue, c = applied[-1]
            word = ctx.fields[c.field].text[c.start : c.end]
            reject(step, f"vetoed by cue {cue.name!r}: {word!r}")
        return None
    ft = ctx.fields[hit.field]
    own = ft.sentence_at(hit.start)
    sentence = (0, len(ft.text)) if ft.name == "title" else own
    # A headline's own sentences count apart: in "X lifts the ban. How did Y react?" only
    # the second asks.
    if _is_question(ft.text, own):
        if step is not None:
            reject(step, "factuality: the sentence is a question, not a decision")
        return None
    span = [
        h
        for h in (hit, *used)
        if h.field == hit.field and sentence[0] <= h.start and h.end <= sentence[1]
    ]
    event = (min(h.start for h in span), max(h.end for h in span))
    if (
        reversal is not None
        and reversal.field == hit.field
        and sentence[0] <= reversal.start < event[0]
    ):
        # The reversal is the event's predicate ("China to **resume** some Japanese seafood
        # imports after a ban"): a state between it and the object qualifies the object.
        event = (reversal.start, event[1])
    mentions = ctx.mentions(hit.field, pack)
    subject_is_target = spec.subject == "target"
    restrictions = _restrictions(ctx, pack, hit.field, sentence)
    dateline = dateline_end(ft.text) if ft.name == "body" and sentence[0] == 0 else 0
    slots = extract_slots(
        ft.text,
        sentence,
        mentions,
        event,
        pack,
        subject_is_target=subject_is_target,
        restrictions=restrictions,
        headline=ft.name == "title",
        dateline=dateline,
    )
    if slots.actor is None and event[0] < hit.start:
        # A condition term before the actor ("... продовження санкцій Євросоюз виключив зі
        # списку"): read the slots around the span from the trigger on instead.
        event_from_trigger = (hit.start, event[1])
        slots = extract_slots(
            ft.text,
            sentence,
            mentions,
            event_from_trigger,
            pack,
            subject_is_target=subject_is_target,
            restrictions=restrictions,
            headline=ft.name == "title",
            dateline=dateline,
        )
    if spec.destination_decides:
        slots = with_destination(ft.text, sentence, mentions, slots, [h.end for h in span], pack)
    event_type: str = spec.event_type
    if reversal is not None:
        event_type = REVERSED.get(event_type) or REVOKED[event_type]
    if slots.actor is None:
        if unattributed is not None and len(span) > 1:
            # a predicate and its object ("lever les sanctions"), not a lone word such as
            # "Sanctioned oligarch's yacht sold"
            unattributed.add(event_type)
        if step is not None:
            reject(step, "no actor: no state or bloc the sentence makes the decider")
        return None
    if (
        spec.event_type in REVERSED
        and slots.target is not None
        and slots.actor.code in BLOC_MEMBERS.get(slots.target.code, ())
    ):
        # "Hungary blocks EU aid to Ukraine": a member acting on its own bloc's measure holds
        # it up; neither the member's policy nor the bloc's has changed.
        if step is not None:
            reject(
                step,
                f"a member ({slots.actor.code}) acting on its own bloc's ({slots.target.code}) "
                "measure: an obstacle, not a change of policy",
            )
        return None
    if spec.target == "required" and slots.target is None:
        if step is not None:
            reject(step, "no target, and the rule requires one")
        return None
    anchor = None
    if ctx.published is not None and pack.months:
        anchor = anchor_near(ft.text, sentence, event, ctx.published, pack)
        if anchor is not None and anchor.past:
            if step is not None:
                reject(step, f"background: dated {anchor.text!r} (before {ctx.published})")
            return None
    text_of_event = ft.text[event[0] : event[1]]
    notes: tuple[str, ...] = ()
    if reversal is not None:
        notes = (f"reversed by {ft.text[reversal.start : reversal.end]!r}",)
    event_type, why = ban_type(event_type, ft.text, event, slots.actor, slots.target, pack)
    if why is not None:
        notes = (*notes, why)
    if slots.actor_by_speech:
        factor *= SPEAKER_FACTOR
    if step is not None:
        step.decisions = _decisions(anchor, pack, notes, factor, slots.actor_by_speech)
    evidence = Evidence(
        field=ft.name,
        start=event[0],
        end=event[1],
        text=ft.text[sentence[0] : sentence[1]],
    )
    candidate = Candidate(
        rule=rule,
        confidence=round(spec.confidence * factor, 4),
        actor=_entity(slots.actor, pack),
        target=_entity(slots.target, pack) if slots.target else None,
        instruments=_instruments(rule, ctx, (hit.field, sentence[0], sentence[1])),
        evidence=evidence,
        field=hit.field,
        start=hit.start,
        event_type=event_type,
        event_text=text_of_event,
        sentence_start=sentence[0],
        lead=ft.name == "title"
        or sentence[1] <= ft.lead_end(LEAD_SENTENCES)
        or _opens_entry(ft.text, sentence[0]),
        notes=notes,
    )
    if trace is not None and step is not None:
        trace.matched(step, candidate)
    return candidate


#: A German past participle made with "ge" (after a separable prefix or none) and declined as
#: an adjective: "die im Frühjahr **ausgesetzten** Zahlungen", "die **eingefrorenen**
#: Gelder". Unlike a weak preterite ("verhängten"), it is never a finite verb. Verbs whose stem
#: begins with "ge" (genehmigen, gestatten, gewähren) are left out.
_ATTRIBUTIVE = re.compile(
    r"(?:aus|ein|auf|ab|an|zurück|frei|fest|vor|wieder|nach|weg|um)?ge"
    r"(?!nehmig|statt|währ|lang|wann|hör)\w+(?:t|en)(?:e|en|er|es|em)"
)


def _attributive_participle(text: str, hit: Hit) -> bool:
    end = hit.start
    while end < len(text) and text[end].isalpha():
        end += 1
    if not _ATTRIBUTIVE.fullmatch(text[hit.start : end].casefold()):
        return False
    rest = text[end : end + 40].lstrip()
    return bool(rest) and rest[0].isupper()


def _record_hedge(
    hedges: dict[str, str],
    rule: CompiledRule,
    ctx: ArticleContext,
    hit: Hit,
    cue: str,
) -> None:
    event_type = rule.spec.event_type
    if event_type in REVERSED:
        s_start, s_end = ctx.fields[hit.field].sentence_at(hit.start)
        for c in rule.cues:
            if c.effect == "reverse" and _spans(
                ctx, frozenset([c.set_id]), hit.field, (s_start, s_end)
            ):
                return
    hedges.setdefault(event_type, cue)


def _decisions(
    anchor: Anchor | None,
    pack: LanguagePack,
    notes: tuple[str, ...],
    factor: float,
    by_speech: bool,
) -> list[str]:
    """Time, direction and factuality of a match, in words (tracing only)."""
    if not pack.months:
        time = "time: not checked (the language pack names no months)"
    elif anchor is None:
        time = "time: no date near the event (taken as current)"
    else:
        time = f"time: dated {anchor.text!r}, current"
    direction = f"direction: {notes[0]}" if notes else "direction: as the rule reads (no reversal)"
    fact = "factuality: stated as done (no downgrade)"
    if factor < 1.0:
        fact = f"factuality: downgraded ×{factor:.2f}"
        if by_speech:
            fact += " (the actor is only known as the speaker)"
    return [time, direction, fact]


#: Closing quotes and brackets that may follow a question mark.
_CLOSERS = "\"'»”’)]… \n"


def _is_question(text: str, sentence: tuple[int, int]) -> bool:
    """A sentence (or headline) that asks ("Did Washington halt the deliveries?") reports no
    decision, in any language."""
    return text[sentence[0] : sentence[1]].rstrip(_CLOSERS).endswith(("?", "¿"))
