"""Which type a ban is, read from what it bans and who bans it: one decision, one type.

A rule reads "banned wheat exports" or "lifted the arms ban" by its words; whether that is an
embargo, an export control or a weapons restriction depends on the ban's object and on the
decider, which only the matched candidate knows.
"""

from __future__ import annotations

from policywatch.engine.matching.slots import Mention
from policywatch.engine.rule_language.compiler import LanguagePack
from policywatch.engine.text.sentences import count_words, words_in

__all__ = ["ban_type"]

#: Embargo types that read as export controls when the ban is on exports and aims at no state.
_BAN_AS_CONTROL = {
    "embargo_imposed": "export_controls_tightened",
    "embargo_lifted": "export_controls_eased",
}
#: Weapons restrictions that read as embargoes when a body that supplies no arms decides them.
_BLOC_ARMS_BAN = {
    "weapons_restriction_imposed": "embargo_imposed",
    "weapons_restriction_lifted": "embargo_lifted",
}
_EMBARGO_BODIES = frozenset({"UN", "EU"})
#: Stems of "export" and of the words that make a ban a trade embargo, in the packs' languages.
_EXPORT_STEMS = ("export", "ausfuhr", "экспорт", "вывоз", "експорт", "вивез", "вивоз")
_TRADE_STEMS = (
    "import", "einfuhr", "импорт", "ввоз", "імпорт", "ввез", "trade", "handel", "commerc",
    "comerci", "торгов", "торгів",
)  # fmt: skip


#: How many words after the event its target may stand for the ban to be aimed at it.
_AIM_REACH = 8


def _aimed_at(
    text: str, event: tuple[int, int], target: Mention | None, pack: LanguagePack
) -> bool:
    """Whether the ban names its target state: inside the event, or soon after it behind a
    preposition ("coal exports **to** Israel", "de charbon **vers** la Birmanie"); a state
    named otherwise ("..., including Bangladesh") is not what the ban aims at."""
    if target is None:
        return False
    if event[0] <= target.start < event[1]:
        return True
    if target.start < event[1] or count_words(text, event[1], target.start) > _AIM_REACH:
        return False
    before = [
        w
        for w in (m.group().casefold() for m in words_in(text, event[1], target.start))
        if w not in pack.skip_words
    ]
    # right after the event, the event's own words end in the preposition ("exports to")
    return not before or before[-1] in pack.target_prepositions


def _exports_only(event_text: str) -> bool:
    folded = event_text.casefold()
    return any(s in folded for s in _EXPORT_STEMS) and not any(s in folded for s in _TRADE_STEMS)


def ban_type(
    event_type: str,
    text: str,
    event: tuple[int, int],
    actor: Mention,
    target: Mention | None,
    pack: LanguagePack,
) -> tuple[str, str | None]:
    """The candidate's type, and why it changed (``None`` when it did not)."""
    if (
        event_type in _BAN_AS_CONTROL
        and _exports_only(text[event[0] : event[1]])
        and not _aimed_at(text, event, target, pack)
    ):
        # "Pakistan stopped sugar exports": a ban on a good's exports, aimed at no country, is
        # that good's export control; a ban on exports *to* a country is an embargo on it.
        return _BAN_AS_CONTROL[event_type], "an export ban aimed at no country: an export control"
    if event_type in _BLOC_ARMS_BAN and actor.code in _EMBARGO_BODIES:
        # The UN and the EU supply no weapons: a ban on arms they impose or lift is an
        # embargo ("Brussels ended its arms ban on Fiji").
        return _BLOC_ARMS_BAN[event_type], f"an arms ban by {actor.code}: an embargo"
    return event_type, None
