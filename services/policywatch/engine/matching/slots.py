"""Slot extraction: who changed policy (actor) and towards whom (target), from entity mentions.

Mentions come from the language's gazetteer (states, blocs, capitals, leaders, agencies,
demonyms). In the trigger's sentence:

* actor: a passive agent right after the trigger ("lifted **by the EU**"; where the pack
  lists passive auxiliaries, only after one: "a été levé **par la France**"); else the owner
  of a restriction inside the event; else the nearest mention before the trigger that is not
  the object of a preposition ("sanctions *on* Syria"); else a mention after the trigger that
  is followed by a speech verb (", **the Pentagon** said") or that follows one opening an
  inverted reporting clause (", anunció **la Casa Blanca**").
* target: the first mention after the trigger that is not the actor; else a mention before
  the trigger governed by a target preposition ("sanctions **on Syria** were lifted").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from policywatch.engine.rule_language.compiler import LanguagePack
from policywatch.engine.text.headlines import KICKER_END
from policywatch.engine.text.normalize import words_of
from policywatch.engine.text.sentences import count_words, words_in

__all__ = [
    "Mention",
    "Slots",
    "extract_slots",
    "governed",
    "resolve_mentions",
    "with_destination",
]

#: How many words after the event a passive agent ("by the EU") may start. Further on, "by"
#: belongs to another verb ("a company controlled by Cuba's armed forces").
AGENT_REACH = 4
#: How far the agent may stand when a passive auxiliary announces it ("la suspension de l'aide
#: militaire à l'Ukraine a été confirmée par la Maison Blanche").
PASSIVE_REACH = 9
#: How many words after a mention a speech verb may follow ("the Pentagon said").
SPEECH_REACH = 2


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    code: str


@dataclass(frozen=True, slots=True)
class Slots:
    actor: Mention | None
    target: Mention | None
    actor_by_speech: bool = False


def resolve_mentions(raw: list[tuple[int, int, str | None]]) -> list[Mention]:
    """Leftmost-longest, non-overlapping; spans whose code is ``None`` block (non-entities)."""
    out: list[Mention] = []
    last_end = -1
    for start, end, code in sorted(raw, key=lambda m: (m[0], -m[1])):
        if start < last_end:
            continue
        last_end = end
        if code is not None:
            out.append(Mention(start, end, code))
    return out


def _words_before(
    text: str, floor: int, pos: int, skip: frozenset[str]
) -> tuple[list[re.Match[str]], int, str]:
    """The words before ``pos``, the index of the last one not in ``skip`` (-1: none), and it
    folded ("" when none)."""
    words = words_in(text, max(floor, pos - 80), pos)
    for i in range(len(words) - 1, -1, -1):
        folded = words_of(words[i].group())
        word = folded[0] if folded else ""
        if word not in skip:
            return words, i, word
    return words, -1, ""


def _word_before(text: str, floor: int, pos: int, skip: frozenset[str]) -> str:
    return _words_before(text, floor, pos, skip)[2]


def _passive_between(text: str, start: int, end: int, pack: LanguagePack) -> bool:
    """A passive auxiliary stands between the event and the agent ("... a **été** décidée
    par")."""
    for w in words_in(text, start, end):
        folded = words_of(w.group())
        if folded and folded[0] in pack.passive_markers:
            return True
    return False


#: How many words may open a reporting clause before its verb (", a annoncé la France").
INVERTED_OPENING = 1


def _inverted_speaker(text: str, floor: int, m: Mention, pack: LanguagePack) -> bool:
    """``m`` is the speaker of an inverted reporting clause right after a comma (", teilte
    die Bundesregierung mit", ", anunció la Casa Blanca", ", said Britain's envoy"). Only
    there: "... told Russia's state broadcaster" names an addressee, and a verb further into
    the clause ("with member states France and Germany abstaining") is another word."""
    words, i, word = _words_before(text, floor, m.start, pack.skip_words)
    if i < 0 or word not in pack.speech_verbs:
        return False
    comma = text.rfind(",", floor, words[i].start())
    if comma < 0 or _CLAUSE_PUNCTUATION.intersection(text[words[i].end() : m.start]):
        return False
    return len(words_in(text, comma, words[i].start())) <= INVERTED_OPENING


def _speech_follows(text: str, pos: int, ceiling: int, pack: LanguagePack) -> bool:
    """Whether a speech verb follows the mention ending at ``pos`` ("the Pentagon said").

    Punctuation in between ends the look: in "sanctions on Russia, adding ..." the participle
    belongs to the sentence's subject, not to Russia.
    """
    following = words_in(text, pos, min(ceiling, pos + 60))[: SPEECH_REACH + 1]
    for m in following:
        if _CLAUSE_PUNCTUATION.intersection(text[pos : m.start()]):
            return False
        folded = words_of(m.group())
        word = folded[0] if folded else ""
        if word in pack.speech_verbs:
            return True
        if word not in pack.skip_words:
            return False
    return False


_CLAUSE_PUNCTUATION = frozenset(",;:()")


def _governed(
    text: str, floor: int, pos: int, pack: LanguagePack, mention_ends: frozenset[int]
) -> bool:
    """Whether the mention starting at ``pos`` is the object of a target preposition.

    A genitive article right after a capitalised common noun does not govern: in German "die
    Außenminister **der EU** haben ..." the EU owns the ministers (the actor), while after a
    verb ("Washington hat **der Ukraine** erlaubt") or another mention ("auch Deutschland **der
    Ukraine**") the article is a dative and marks the target.
    """
    words, i, word = _words_before(text, floor, pos, pack.skip_words)
    if word in pack.recipient_verbs:
        return True
    if word not in pack.target_prepositions:
        return False
    if word in pack.genitive_articles and i > 0:
        owner = words[i - 1]
        return not (
            owner.group()[:1].isupper()
            and owner.start() > floor
            and owner.end() not in mention_ends
        )
    return True


def governed(
    text: str, floor: int, m: Mention, mention_ends: frozenset[int], pack: LanguagePack
) -> bool:
    """Whether a preposition makes ``m`` an object ("aid **to Mali**"), not a subject;
    ``mention_ends``: where the sentence's mentions end."""
    return _governed(text, floor, m.start, pack, mention_ends)


def _coordinated_first(text: str, before: list[Mention], k: int) -> int:
    """Walk back over "Denmark and the Netherlands": the first of the pair leads."""
    while k > 0:
        between = [w.group().lower() for w in words_in(text, before[k - 1].end, before[k].start)]
        if len(between) > 3 or not set(between) <= _COORDINATORS or "and" not in between:
            break
        k -= 1
    return k


_COORDINATORS = frozenset({"and", "the", "as", "well"})


def _adjective(text: str, m: Mention) -> bool:
    return text[m.start : m.start + 1].islower()


def _in_capitals(text: str, event: tuple[int, int]) -> bool:
    """The words of the event are written in capitals ("US LIFTS IRAN SANCTIONS")."""
    return text[event[0] : event[1]].isupper()


def _acronym(surface: str) -> bool:
    letters = [c for c in surface if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _without_mentions(text: str, start: int, end: int, mentions: list[Mention]) -> str:
    """``text[start:end]`` with the mentions inside it blanked out."""
    out = text[start:end]
    for m in mentions:
        if start <= m.start and m.end <= end:
            a, b = m.start - start, m.end - start
            out = out[:a] + " " * (b - a) + out[b:]
    return out


def _owner(
    text: str,
    mentions: list[Mention],
    event: tuple[int, int],
    restrictions: list[tuple[int, int]],
    pack: LanguagePack,
) -> Mention | None:
    """The state named as a restriction's owner inside the event: right before its noun, past
    words of its kind only ("a **US** arms embargo", "**EU** sanctions"), or right after it
    ("l'embargo **américain**", "sanciones **estadounidenses**").

    Before the noun only an acronym counts: a state's name there is usually what the measure
    targets ("Iran sanctions", "Iran-Sanktionen"), while "US", "EU" and "UN" name its owner; in
    a headline written in capitals every name looks like one, so there none counts. After the
    noun only a state that follows it directly counts ("the embargo, Cyprus said" names a
    speaker)."""
    for r_start, r_end in restrictions:
        if not (event[0] <= r_start and r_end <= event[1]):
            continue
        for m in mentions:
            if m.end <= r_start:
                if not _acronym(text[m.start : m.end]) or _in_capitals(text, event):
                    continue
                gap = text[m.end : r_start]
                # "the EU's sanctions"; "the UK's Syria sanctions regime": a state between
                # owner and noun is what the measure targets
                words = [
                    w
                    for w in words_of(_without_mentions(text, m.end, r_start, mentions))
                    if w != "s"
                ]
                if (
                    not _CLAUSE_PUNCTUATION.intersection(gap)
                    and len(words) <= 1
                    and all(w in pack.restriction_kinds for w in words)
                ):
                    return m
            elif (
                pack.owner_after_noun
                and m.start >= r_end
                and not text[r_end : m.start].strip()
                and m.end <= event[1] + 40
            ):
                return m
    return None


#: How many words after the trigger's first word an inverted subject may start.
INVERTED_REACH = 3


def _inverted_subject(
    text: str,
    start: int,
    candidates: list[Mention],
    pack: LanguagePack,
    s_start: int,
    ends: frozenset[int],
) -> Mention | None:
    """The state right after the verb that opens the event, past articles only ("schickt
    **die Bundesrepublik** 350 Soldaten"), unless a preposition governs it ("schickt **nach
    Litauen**")."""
    if not candidates:
        return None
    m = candidates[0]
    between = [words_of(w.group()) for w in words_in(text, start, m.start)[1:]]
    if len(between) > INVERTED_REACH or not all(w and w[0] in pack.skip_words for w in between):
        return None
    return None if _governed(text, s_start, m.start, pack, ends) else m


def _headline_order(text: str, before: list[Mention], t_start: int) -> list[int]:
    """A headline's subject comes first ("Tokyo widens Russia measures with ... export ban
    list"), after any kicker: so the mentions before the event are tried from the first that
    follows the last kicker end, then those of the kicker, nearest first."""
    kicker = 0
    for m in KICKER_END.finditer(text, 0, t_start):
        kicker = m.end()
    first = next((k for k, m in enumerate(before) if m.start >= kicker), len(before))
    return [*range(first, len(before)), *range(first - 1, -1, -1)]


def _verb_second_order(
    text: str, before: list[Mention], s_start: int, dateline: int, pack: LanguagePack
) -> Sequence[int]:
    """Nearest first; but where the verb comes second ("Washington hat Kuba von der Liste
    gestrichen"), a state that opens the sentence is its subject and the ones between the
    finite verb and the event are objects, so it is tried first."""
    nearest = range(len(before) - 1, -1, -1)
    if not pack.subject_after_verb or len(before) < 2:
        return nearest
    first = before[0]
    if _adjective(text, first):
        return nearest
    # only words of the subject's own noun phrase before it ("Die US-Regierung hat"); a
    # genitive-dative article ("Der Ukraine hat Berlin ...") opens an object
    for w in words_in(text, max(s_start, dateline), first.start):
        word = words_of(w.group())[0]
        if word not in pack.skip_words or word in pack.genitive_articles:
            return nearest
    return [0, *range(len(before) - 1, 0, -1)]


#: Words that make the relative after them stand for a whole clause, not a noun ("lo que",
#: "ce qui").
_CLAUSAL = frozenset({"lo", "ce"})


def _outside_relative(
    text: str, before: list[Mention], start: int, t_start: int, pack: LanguagePack
) -> list[Mention]:
    """The mentions before the event minus those a relative clause holding it shuts out: in
    "... из стран**, которые** ввели санкции" the pronoun stands for "стран", the subject of
    "ввели", and a state named before it decides nothing there. A state right before the
    comma is the pronoun's antecedent ("Франция, которая ввела ...") and stays."""
    if not before or not pack.date_relatives:
        return before
    comma = text.rfind(",", start, t_start)
    while comma >= 0:
        words = words_in(text, comma, min(t_start, comma + 40))[:2]
        first = words_of(words[0].group())[:1] if words else []
        if first and first[0] in _CLAUSAL:
            pass  # "..., lo que ...", "..., ce qui ...": the pronoun stands for the clause
        elif any((f := words_of(w.group())) and f[0] in pack.date_relatives for w in words):
            return [m for m in before if m.start > comma or text[m.end : comma].strip() == ""]
        comma = text.rfind(",", start, comma)
    return before


def extract_slots(
    text: str,
    sentence: tuple[int, int],
    mentions: list[Mention],
    event: tuple[int, int],
    pack: LanguagePack,
    *,
    subject_is_target: bool = False,
    restrictions: list[tuple[int, int]] | None = None,
    headline: bool = False,
    dateline: int = 0,
) -> Slots:
    """Actor and target around ``event``, the span from the first to the last matched term.

    ``restrictions``: spans of restriction nouns ("embargo", "sanctions") in the sentence; a
    state that owns one inside the event ("the lifting of **a US** arms embargo") decided it.

    In a ``headline`` the subject leads: the mentions before the event are tried first to
    last, from the end of any kicker, instead of nearest first.

    With ``subject_is_target`` (passive permission: "Kyiv has been allowed to..."), the nearest
    mention before the event is the target and the actor is looked for elsewhere.

    ``dateline``: where the body's dateline ends. The places it names ("Berlin/Niamey (dpa) –")
    say where the story was filed, not who decided: they decide only where the sentence names
    no state as such ("WASHINGTON - The Treasury lifted ..."), before any adjective ("la
    petrolera **venezolana**") and after a subject that follows its verb ("setzt **Deutschland**
    ... aus").
    """
    s_start, s_end = sentence
    t_start, t_end = event
    inside = [m for m in mentions if m.start >= max(s_start, dateline) and m.end <= s_end]
    filed = [
        m for m in mentions if s_start <= m.start and m.end <= dateline and not _adjective(text, m)
    ]
    before = _outside_relative(
        text, [m for m in inside if m.end <= t_start], max(s_start, dateline), t_start, pack
    )
    after = [m for m in inside if m.start >= t_end]
    within = [m for m in inside if m.start >= t_start and m.end <= t_end]
    skip = pack.skip_words
    ends = frozenset(m.end for m in inside)

    target: Mention | None = None
    if subject_is_target and before:
        target = before[-1]
        before = [m for m in before[:-1] if m.code != target.code]
        after = [m for m in after if m.code != target.code]

    actor: Mention | None = None
    by_speech = False
    for m in after:
        words = count_words(text, t_end, m.start)
        if words > (PASSIVE_REACH if pack.passive_markers else AGENT_REACH):
            break
        if _word_before(text, t_end, m.start, skip) in pack.agent_prepositions and (
            not pack.passive_markers
            or (
                # the auxiliary may stand inside the event ("fueron levantadas por"), but the
                # agent of another clause (", una medida que fue criticada por") is not its own
                not _CLAUSE_PUNCTUATION.intersection(text[t_end : m.start])
                and _passive_between(text, t_start, m.start, pack)
            )
        ):
            actor = m
            break
    if actor is None and restrictions:
        actor = _owner(text, inside, event, restrictions, pack)
    if actor is None:
        # A lower-case mention is an adjective ("des **saudischen** Journalisten", "турецкой
        # продукции"): it qualifies a noun and decides only when no state is named as such;
        # before it, a subject after its verb ("setzt **Deutschland** ... aus"), then the
        # dateline.
        for adjectives in (False, True):
            if adjectives and pack.subject_after_verb:
                actor = _inverted_subject(text, t_start, within + after, pack, s_start, ends)
            if adjectives and actor is None and filed and not subject_is_target:
                actor = filed[-1]
            if actor is not None:
                break
            order: Sequence[int] = (
                _headline_order(text, before, t_start)
                if headline
                else _verb_second_order(text, before, s_start, dateline, pack)
            )
            for k in order:
                if _adjective(text, before[k]) is not adjectives:
                    continue
                if not _governed(text, s_start, before[k].start, pack, ends):
                    actor = before[_coordinated_first(text, before, k)]
                    break
            if actor is not None:
                break
    if actor is None:
        for m in after:
            if _speech_follows(text, m.end, s_end, pack):
                actor, by_speech = m, True
                break
            if _inverted_speaker(text, t_end, m, pack):
                actor, by_speech = m, True
                break
    if actor is None and before and not subject_is_target:
        # An article opening the sentence reads as a dative ("Der Ukraine wird Deutschland ...
        # liefern") until no one else can decide: then it is the subject's ("Der Bundesrat hat
        # ... verhängt").
        first = before[0]
        opening = words_in(text, s_start, first.start)
        if len(opening) == 1 and words_of(opening[0].group())[0] in pack.genitive_articles:
            actor = first
    if actor is None and subject_is_target:
        for m in within + after:
            if not _governed(text, s_start, m.start, pack, ends):
                actor = m
                break
    if subject_is_target:
        return Slots(actor, target if actor is not None else None, by_speech)

    actor_code = actor.code if actor else None
    for m in within + after:
        if m.code != actor_code and not _speech_follows(text, m.end, s_end, pack):
            target = m
            break
    if target is None:
        for m in reversed(before):
            if m.code != actor_code and _governed(text, s_start, m.start, pack, ends):
                target = m
                break
    return Slots(actor, target, by_speech)


#: How many words after a condition word ("ввоз") its destination may stand ("в Россию").
DESTINATION_REACH = 2


def with_destination(
    text: str,
    sentence: tuple[int, int],
    mentions: list[Mention],
    slots: Slots,
    ends: list[int],
    pack: LanguagePack,
) -> Slots:
    """For imports, the state the goods go into decides ("ввоз **в Россию** яблок из
    Молдавии"), the first other state of the sentence being the target: when the slots name no
    actor, or only an adjective, which names the goods' origin ("ввоз **турецких** томатов").
    ``ends``: where the match's condition words end. The slots unchanged without a destination.
    """
    if slots.actor is not None and not _adjective(text, slots.actor):
        return slots
    inside = [m for m in mentions if sentence[0] <= m.start and m.end <= sentence[1]]
    for end in ends:
        for m in inside:
            if m.start < end or count_words(text, end, m.start) > DESTINATION_REACH + 1:
                continue
            words = words_of(text[end : m.start])
            if words and words[-1] in pack.destination_prepositions:
                return Slots(m, next((o for o in inside if o.code != m.code), None))
    return slots
