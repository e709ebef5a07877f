"""The rule-file model: what a YAML rule file may contain (``schemas/rules.schema.json``).

A file declares its ``language`` and any of five sections; sections from every file of a
language merge into one pack, so lists, gazetteers and cues can live beside the rules or in
shared files. See ``docs/rules.md`` for the language itself.

Term syntax (no regular expressions, so no catastrophic backtracking):
``lift`` matches lift/lifts/lifted/lifting (inflected); ``"arms export licence"`` is a phrase of
whole words; ``permit*`` matches any word starting with ``permit``; ``=US`` matches that exact
case only (and is not inflected). ``$name`` in a condition refers to a named list.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from policywatch.models import ENTITY_CODE, EventType, Severity

__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "CueSpec",
    "EntitySpec",
    "Example",
    "Examples",
    "Guard",
    "ListSpec",
    "NotOf",
    "RuleFile",
    "RuleSpec",
    "Scope",
    "SlotWords",
]

Scope = Literal["sentence", "window", "title", "lead", "article"]
TermText = Annotated[str, Field(min_length=1, max_length=200)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class AllOf(_Spec):
    all: list[Condition] = Field(min_length=1, description="Every condition must hold")


class AnyOf(_Spec):
    any: list[Condition] = Field(min_length=1, description="At least one condition must hold")


class NotOf(_Spec):
    not_: Condition = Field(alias="not", description="The condition must not hold")


Condition = Union[  # noqa: UP007  (a recursive alias: pydantic needs the Union form)
    Annotated[str, Field(min_length=1, description="'$list' or an inline term")],
    AllOf,
    AnyOf,
    NotOf,
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


_ACCENTS = (
    "Match the terms' accents exactly, as written: German 'würde' (would) is not 'wurde'"
    " (was), nor 'hätte' 'hatte'. Implies no inflection; prefix terms ('word*') are not allowed"
)


class ListSpec(_Spec):
    """A named term list. ``values`` maps a canonical value (e.g. ``ATACMS``) to its terms."""

    description: str | None = None
    inflect: bool = Field(True, description="Also match inflected forms of each word")
    accents: bool = Field(False, description=_ACCENTS)
    with_trigger: bool = Field(
        False,
        description=(
            "A hit of this list satisfies a condition even when it is the trigger's own word: "
            "a future tense fused into the verb (es 'enviará', ru 'передаст') is the decision "
            "that a separate 'will' is in English"
        ),
    )
    terms: list[TermText] = []
    values: dict[str, list[TermText]] = {}


class EntitySpec(_Spec):
    """A state or bloc: its names, capitals, leaders, agencies and demonyms."""

    name: str = Field(min_length=1)
    terms: list[TermText] = Field(min_length=1)


class CueSpec(_Spec):
    """Words near a trigger that veto or downgrade it (negation, modality, attribution...).

    ``before``/``after``: how many words before/after the trigger, in the same sentence, the
    cue reaches. ``effect: break`` marks words that end a cue's reach ("but", "however");
    ``effect: shield`` marks phrases whose cues do not count ("said it would").
    ``effect: reverse`` marks predicates that undo a restriction ("lift", "halt", "end"): near a
    restrictive rule's trigger they turn its event into the opposite one (lift + ban = lifted).
    ``effect: restriction`` names restrictions ("ban", "controls", "suspension"): when the
    trigger is itself a reversal ("suspend") and governs one of these, the event is reversed
    too ("suspend its export controls" eases them; "suspend exports" restricts).
    ``effect: revoke`` marks predicates that withdraw a permission ("revoke", "suspend"): near a
    permissive rule's trigger, with a ``permission`` noun ("permits", "licences", "waiver")
    between them or as the trigger, they turn its event into the restrictive one ("suspended
    the permits that allowed exports of military goods" restricts them).
    """

    description: str | None = None
    effect: Literal[
        "veto", "downgrade", "break", "shield", "reverse", "restriction", "revoke", "permission"
    ] = "veto"
    factor: float = Field(0.8, gt=0.0, le=1.0, description="Confidence factor for downgrade")
    before: int = Field(6, ge=0, le=60)
    after: int = Field(0, ge=0, le=60)
    inflect: bool = True
    accents: bool = Field(False, description=_ACCENTS)
    not_as_object: bool = Field(
        False,
        description=(
            "The cue does not count after a target preposition within a few words ('sanctions"
            " on judges of the Supreme Court')"
        ),
    )
    hedge: bool = Field(
        False,
        description=(
            "A veto by this cue in the headline hedges the article's news of that type: the"
            " body's matches of the type elaborate the hedge and raise nothing ('Tokyo weighs"
            " dropping Seoul from its white list')"
        ),
    )
    not_in_report: bool = Field(
        False,
        description=(
            "The cue does not count in reported speech, where a speech verb stands a few words"
            " before it ('said French troops would withdraw': a reported future, not a"
            " hypothetical)"
        ),
    )
    subject: bool = Field(
        False,
        description=(
            "The cue names the trigger's subject, which stands next to its verb ('a maker has"
            " halted shipments'): it does not reach across a comma or a target preposition"
            " ('entities, including banks, from its list'; 'added 140 companies to its list')"
        ),
    )
    terms: list[TermText] = Field(min_length=1)


class SlotWords(_Spec):
    """Function words the slot extractor reads around entity mentions (per language)."""

    target_prepositions: list[str] = []
    agent_prepositions: list[str] = []
    speech_verbs: list[str] = []
    skip_words: list[str] = Field([], description="Articles and titles skipped when looking back")
    genitive_articles: list[str] = Field(
        [],
        description=(
            "Target prepositions that mark a genitive, not a target, right after a capitalised"
            " noun (German 'die Außenminister der EU')"
        ),
    )
    restriction_kinds: list[str] = Field(
        [],
        description=(
            "Words that name a restriction's kind between its owner and its noun ('a US"
            " **arms** embargo'); a commodity there ('Russian oil embargo') names the target"
        ),
    )
    separable_particles: list[str] = Field(
        [],
        description=(
            "Particles a verb leaves at the end of its clause (German 'Die EU **setzt** die"
            " Sanktionen **aus**'): the particle joined to a lower-case word of the clause"
            " ('aussetzt') is matched as a word of its own, at the verb's place"
        ),
    )
    destination_prepositions: list[str] = Field(
        [],
        description=(
            "Prepositions of the place goods go into ('into', 'в', 'до'), for rules with"
            " destination_decides"
        ),
    )
    passive_markers: list[str] = Field(
        [],
        description=(
            "Auxiliaries of the passive ('été', 'fue'): where a language lists them, an agent"
            " preposition names the decider only after one ('a été décidée **par** Paris'), so"
            " 'l'emploi des missiles par l'Ukraine' names a user, and it may stand further from"
            " the event"
        ),
    )
    bracket_auxiliaries: list[str] = Field(
        [],
        description=(
            "Finite auxiliaries that open a verb bracket (German 'die USA **haben** die Hilfe"
            " ... ausgesetzt'): a window reaches back to one, in the trigger's clause, however"
            " far, since the bracket's middle is the clause-final verb's object"
        ),
    )
    completion_words: list[str] = Field(
        [],
        description=(
            "Words that put the process named next in the past ('**after** weeks of talks,"
            " the EU approved ...', 'tras las negociaciones'): a hedging cue right after them"
            " names a finished step, not an open one"
        ),
    )
    recipient_verbs: list[str] = Field(
        [],
        description=(
            "Verbs whose next state is the one they give to ('will give **Mozambique** 100"
            " million euros', 'sends **Kyiv** more shells'): like a target preposition, they"
            " make that state an object, never the decider"
        ),
    )
    owner_after_noun: bool = Field(
        True,
        description=(
            "A state right after a restriction noun owns it ('l'embargo **américain**',"
            " 'санкции **США**'); false where modifiers precede their noun (English: in"
            " 'China bans **Japanese** seafood' the state qualifies the goods)"
        ),
    )
    subject_after_verb: bool = Field(
        False,
        description=(
            "The subject may follow the finite verb (German verb-second order: 'Seit Montag"
            " schickt die Bundesrepublik Soldaten'): with no actor before the trigger, a state"
            " right after it is the actor"
        ),
    )


class CalendarSpec(_Spec):
    """How a language writes dates, so a decision can be placed in time against the article's
    publication ("imposed in March 2019" in an article of 2024 is background)."""

    months: list[list[TermText]] = Field(
        min_length=12, max_length=12, description="Twelve lists: the forms of each month's name"
    )
    month_markers: list[str] = Field(
        [], description="Words before a month name that make it a date ('in', 'since', 'early')"
    )
    references: list[str] = Field(
        [],
        description=(
            "Words before a date that make it a reference point, not the decision's own time"
            " ('since 2014', 'after the 2022 invasion', 'from November')"
        ),
    )
    relatives: list[str] = Field(
        [],
        description=(
            "Relative pronouns: a date after the event in a relative clause dates what the"
            " clause tells ('lifted the freeze that it had ordered in February'), not the event"
        ),
    )
    current: list[str] = Field(
        [],
        description=(
            "Words that place a decision in the days around publication ('yesterday', 'on"
            " Monday', 'ayer'): nearest to the event, they date it as news, whatever older"
            " date the sentence holds ('lifted yesterday the sanctions imposed in 2003')"
        ),
    )


class Guard(_Spec):
    """An exception: when ``when`` holds in ``scope`` around the trigger, the match is dropped."""

    scope: Scope = "sentence"
    window: int = Field(10, ge=1, le=200)
    when: Condition


class Example(_Spec):
    text: str = Field(min_length=1)
    title: str | None = None
    actor: str | None = None
    target: str | None = None
    instruments: list[str] = []


class Examples(_Spec):
    match: list[Example | str] = []
    no_match: list[Example | str] = []


class RuleSpec(_Spec):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=128)
    version: int = Field(ge=1)
    event_type: EventType
    description: str = Field(min_length=1)
    enabled: bool = True
    severity: Severity = "medium"
    confidence: float = Field(0.8, gt=0.0, le=1.0)
    tags: list[str] = []
    trigger: list[str] = Field(
        min_length=1, description="'$list' or inline terms; each hit is evaluated"
    )
    scope: Scope = "sentence"
    window: int = Field(10, ge=1, le=200, description="Words each side, for scope: window")
    when: Condition | None = None
    unless: list[Guard] = []
    skip_cues: list[Name] = Field([], description="Cue sets that do not apply to this rule")
    target: Literal["required", "optional"] = "optional"
    subject: Literal["actor", "target"] = Field(
        "actor",
        description="Who the nearest mention before the trigger is: the actor ('Berlin allowed')"
        " or, for passive permission rules, the target ('Kyiv has been allowed')",
    )
    destination_decides: bool = Field(
        False,
        description=(
            "Import rules: when the sentence names no decider, the state the goods go into"
            " decides ('ввоз в **Россию** яблок из Молдавии ограничивается'): a mention after a"
            " destination preposition right after a condition word"
        ),
    )
    instruments: list[str] = Field([], description="'$list' refs whose values are instruments")
    examples: Examples = Examples()


class RuleFile(_Spec):
    """One YAML rule file."""

    language: str = Field(pattern=r"^(?:[a-z]{2,3}|any)$", description="'any': shared by all")
    description: str | None = None
    lists: dict[Name, ListSpec | list[TermText]] = {}
    entities: dict[Annotated[str, Field(pattern=ENTITY_CODE)], EntitySpec] = {}
    non_entities: list[TermText] = Field(
        [], description="Names that contain an entity term but are not one ('Washington Post')"
    )
    cues: dict[Name, CueSpec] = {}
    slot_words: SlotWords | None = None
    calendar: CalendarSpec | None = None
    genres: list[str] = Field(
        [],
        description=(
            "Headline labels of pieces that report no decision ('Opinion', 'Explainer',"
            " 'Fact check'): an article whose title opens with one, before a colon or a bar,"
            " raises no alert"
        ),
    )
    rules: list[RuleSpec] = []
