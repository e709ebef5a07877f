"""Slot extraction: who changed policy (actor) and towards whom (target), from entity mentions.

Mentions come from the language's gazetteer (states, blocs, capitals, leaders, agencies,
demonyms). In the trigger's sentence:

* actor: a passive agent right after the trigger ("lifted **by the EU**"); else the nearest
  mention before the trigger that is not the object of a preposition ("sanctions *on* Syria");
  else a mention after the trigger that is followed by a speech verb (", **the Pentagon** said").
* target: the first mention after the trigger that is not the actor; else a mention before
  the trigger governed by a target preposition ("sanctions **on Syria** were lifted").
"""

from __future__ import annotations

from dataclasses import dataclass

from policywatch.engine.compiler import LanguagePack
from policywatch.engine.normalize import words_of
from policywatch.engine.text import count_words, words_in

__all__ = ["Mention", "Slots", "extract_slots", "resolve_mentions"]

#: How many words after the trigger a passive agent ("by the EU") may start.
AGENT_REACH = 6
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


def _word_before(text: str, floor: int, pos: int, skip: frozenset[str]) -> str:
    for m in reversed(words_in(text, max(floor, pos - 80), pos)):
        folded = words_of(m.group())
        word = folded[0] if folded else ""
        if word not in skip:
            return word
    return ""


def _speech_follows(text: str, pos: int, ceiling: int, pack: LanguagePack) -> bool:
    following = words_in(text, pos, min(ceiling, pos + 60))[: SPEECH_REACH + 1]
    for m in following:
        folded = words_of(m.group())
        word = folded[0] if folded else ""
        if word in pack.speech_verbs:
            return True
        if word not in pack.skip_words:
            return False
    return False


def extract_slots(
    text: str,
    sentence: tuple[int, int],
    mentions: list[Mention],
    trigger: tuple[int, int],
    pack: LanguagePack,
) -> Slots:
    s_start, s_end = sentence
    t_start, t_end = trigger
    inside = [m for m in mentions if m.start >= s_start and m.end <= s_end]
    before = [m for m in inside if m.end <= t_start]
    after = [m for m in inside if m.start >= t_end]
    skip = pack.skip_words

    actor: Mention | None = None
    by_speech = False
    for m in after:
        if count_words(text, t_end, m.start) > AGENT_REACH:
            break
        if _word_before(text, t_end, m.start, skip) in pack.agent_prepositions:
            actor = m
            break
    if actor is None:
        for m in reversed(before):
            if _word_before(text, s_start, m.start, skip) not in pack.target_prepositions:
                actor = m
                break
    if actor is None:
        for m in after:
            if _speech_follows(text, m.end, s_end, pack):
                actor, by_speech = m, True
                break

    actor_code = actor.code if actor else None
    target: Mention | None = None
    for m in after:
        if m.code != actor_code and not _speech_follows(text, m.end, s_end, pack):
            target = m
            break
    if target is None:
        for m in reversed(before):
            if m.code != actor_code and (
                _word_before(text, s_start, m.start, skip) in pack.target_prepositions
            ):
                target = m
                break
    return Slots(actor, target, by_speech)
