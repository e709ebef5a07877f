"""One decision, one type: choosing between candidates that read the same news two ways.

Overlaps and framing are settled here, in the engine, so that no rule has to know about the
others:

- **The more specific reading of one sentence wins.** A UN arms embargo lifted is
  ``embargo_lifted``, not also a weapons restriction lifted; the first supply of a new weapon
  class is ``arms_transfer_approved``; easing that removes a trading ban inside a sanctions
  programme is ``sanctions_lifted``; an export ban on controlled goods (chips, gallium) is an
  export control, not an embargo. :data:`PRECEDENCE` lists each pair, winner first. An arms
  transfer with no recipient read beside a deployment is the deployment's ships ("will send a
  frigate to the Red Sea").
- **A decision and its mirror do not both happen in one report.** When an article yields both a
  restriction and its lifting (``aid_suspended`` and ``aid_resumed``), the one the article
  tells first (title, then lead, then body) is the news; the other is background or a misread
  direction, unless it concerns another target. Within one sentence the lifting wins: its
  rules need an explicit lifting predicate, while a restriction's noun ("export controls")
  also stands in every sentence that lifts it.
- **A hedged headline frames the body.** News puts the news in the headline. When the title
  names a decision of a type only as threatened, considered, asked for or blocked (a cue marked
  ``hedge`` vetoed its match) and asserts none of that type, the body's sentences of that type
  elaborate the hedge ("will impose sanctions", the threat's content) and are dropped. A
  question headline is no hedge: "What do the new sanctions mean?" heads an article that
  reports them.
- **Comment is not news.** A title that opens with a label of the pack's ``genres``
  ("Opinion:", "Analysis:", "Explainer:", "Fact check:", "Kommentar:", "Мнение:") heads a piece
  that argues about, explains or checks decisions; its sentences restate decisions told
  elsewhere, so none of them alerts.
- **News is told more than once, and early.** A decision the article mentions only once, and
  only past its lead, is a side remark or background ("the ministry also recalled that ...").
  On labelled real news such alerts were right about a third of the time, against four in
  five for the rest, so they are dropped — before the mirror check, so that a side remark
  cannot make the article's news its mirror told second. A mention is a sentence: two rules
  reading one sentence tell it once. A headline that tells the type but names no decider
  ("Major powers lift sanctions on Iran") is the early mention of the body's sentence that
  names one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from policywatch.engine.matching.rule_match import Candidate
from policywatch.models import MIRRORS, REVERSED

__all__ = ["PRECEDENCE", "arbitrate"]

#: ``(winner, loser, word)``: when one sentence yields both types and the winner's match says
#: ``word`` (any case; empty: always), the loser's candidates go. "Embargo" is the same word in
#: every language of the packs; a "ban on arms sales" lifted stays a weapons restriction.
PRECEDENCE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("embargo_lifted", "weapons_restriction_lifted", ("embarg", "эмбарг", "ембарг")),
    ("embargo_imposed", "weapons_restriction_imposed", ("embarg", "эмбарг", "ембарг")),
    ("arms_transfer_approved", "weapons_restriction_lifted", ()),
    ("sanctions_lifted", "embargo_lifted", ()),
    # An export ban on goods under export control (chips, gallium, dual-use items) is the
    # control itself: those rules need the goods, the embargo's need only the ban.
    ("export_controls_eased", "embargo_lifted", ()),
    ("export_controls_tightened", "embargo_imposed", ()),
)


_LIFTS = frozenset(REVERSED.values())


def _position(c: Candidate) -> tuple[int, int, int]:
    """Title first, then the lead, then the body; earlier before later; in one sentence, the
    lifting before the restriction."""
    return (
        c.field if c.lead else c.field + 10,
        c.sentence_start,
        0 if c.event_type in _LIFTS else 1,
    )


def _other_target(c: Candidate, first: Candidate) -> bool:
    return c.target is not None and first.target is not None and c.target.code != first.target.code


def arbitrate(
    candidates: Sequence[Candidate],
    why: dict[int, str] | None = None,
    hedged: Mapping[str, str] | None = None,
    genre: str | None = None,
    headlined: Collection[str] = (),
) -> list[Candidate]:
    """The candidates that survive the checks, in their original order. ``hedged``: event
    types whose headline match a ``hedge`` cue vetoed, with the cue's name. ``genre``: the
    headline's label when it marks a piece that reports no decision ("Opinion"). With ``why``
    (tracing), each dropped candidate's reason is recorded under ``id(candidate)``.
    ``headlined``: event types the headline tells with no decider named ("Major powers lift
    sanctions on Iran"); the body's sentence that names one is the news, not a side remark."""
    if genre is not None:
        if why is not None:
            for c in candidates:
                why[id(c)] = f"the headline labels the piece {genre!r}: comment, not news"
        return []
    if hedged:
        candidates = _framed(candidates, hedged, why)
    if len(candidates) < 2:
        return _told_early_or_often(candidates, why, headlined)
    by_sentence: dict[tuple[int, int], list[Candidate]] = {}
    for c in candidates:
        by_sentence.setdefault((c.field, c.sentence_start), []).append(c)

    def outranked(c: Candidate) -> bool:
        if c.event_type == "arms_transfer_approved" and c.target is None:
            # Ships sent to a sea with no state to receive them are a deployment ("will send a
            # frigate to the Red Sea"), not a transfer of arms.
            for w in by_sentence[(c.field, c.sentence_start)]:
                if w.event_type == "troop_deployment":
                    if why is not None:
                        why[id(c)] = (
                            f"no recipient: the deployment ({w.rule.spec.id}) in its sentence"
                        )
                    return True
        for winner, loser, words in PRECEDENCE:
            if loser != c.event_type:
                continue
            for w in by_sentence[(c.field, c.sentence_start)]:
                if w.event_type == winner and (
                    not words or any(x in w.event_text.casefold() for x in words)
                ):
                    if why is not None:
                        why[id(c)] = f"outranked by {winner} ({w.rule.spec.id}) in its sentence"
                    return True
        return False

    kept = _told_early_or_often([c for c in candidates if not outranked(c)], why, headlined)
    first: dict[str, Candidate] = {}
    for c in kept:
        seen = first.get(c.event_type)
        if seen is None or _position(c) < _position(seen):
            first[c.event_type] = c
    dropped: set[str] = set()
    for event_type, c in first.items():
        mirror = MIRRORS.get(event_type)
        if mirror in first and _position(first[mirror]) < _position(c):
            dropped.add(event_type)
    survivors = [
        c
        for c in kept
        if c.event_type not in dropped or _other_target(c, first[MIRRORS[c.event_type]])
    ]
    if why is not None:
        for c in kept:
            if c.event_type in dropped and not _other_target(c, first[MIRRORS[c.event_type]]):
                told = first[MIRRORS[c.event_type]]
                why[id(c)] = (
                    f"mirror of {told.event_type} ({told.rule.spec.id}), which the article "
                    "tells first"
                )
    return survivors


def _framed(
    candidates: Sequence[Candidate], hedged: Mapping[str, str], why: dict[int, str] | None
) -> list[Candidate]:
    asserted = {c.event_type for c in candidates if c.evidence.field == "title"}
    frames = {t: cue for t, cue in hedged.items() if t not in asserted}
    if not frames:
        return list(candidates)
    kept: list[Candidate] = []
    for c in candidates:
        cue = frames.get(c.event_type)
        if cue is None:
            kept.append(c)
        elif why is not None:
            why[id(c)] = f"the headline hedges {c.event_type} (cue {cue!r})"
    return kept


def _told_early_or_often(
    candidates: Sequence[Candidate], why: dict[int, str] | None, headlined: Collection[str]
) -> list[Candidate]:
    # Mentions are sentences: two rules reading one sentence tell the decision once.
    sentences: dict[str, set[tuple[int, int]]] = {}
    early: set[str] = set(headlined)
    for c in candidates:
        sentences.setdefault(c.event_type, set()).add((c.field, c.sentence_start))
        if c.lead:
            early.add(c.event_type)
    kept: list[Candidate] = []
    for c in candidates:
        if c.event_type in early or len(sentences[c.event_type]) > 1:
            kept.append(c)
        elif why is not None:
            why[id(c)] = "told once, past the lead: a side remark, not the news"
    return kept
