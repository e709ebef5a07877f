"""Compiled conditions: a rule's ``when`` and ``unless`` trees over term-set ids.

A YAML condition (``$list``, inline term, ``all``, ``any``, ``not``) compiles to a tree of the
frozen node types below, whose leaves are the ids of the sets the automaton reports hits for.
Everything the engine needs to know about a tree before it reads an article — which sets it may
read, which sets must be present for it to hold — is worked out once, while the tree is built
(:func:`compile_condition`); at scan time only the matcher walks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from policywatch.engine.rule_language.spec import AllOf, Condition, NotOf, Scope

__all__ = [
    "AllCond",
    "AnyCond",
    "CompiledCondition",
    "CompiledGuard",
    "Cond",
    "NotCond",
    "SetCond",
    "compile_condition",
]


@dataclass(frozen=True, slots=True)
class SetCond:
    """Holds when the set has a hit in scope; with ``with_trigger`` the trigger's own word
    counts (a list whose words carry a second meaning fused into the verb)."""

    set_id: int
    with_trigger: bool = False


@dataclass(frozen=True, slots=True)
class AllCond:
    """Holds when every part holds."""

    parts: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class AnyCond:
    """Holds when at least one part holds."""

    parts: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class NotCond:
    """Holds when ``part`` does not."""

    part: Cond


Cond = SetCond | AllCond | AnyCond | NotCond


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """A compiled tree and what is known about it without an article.

    ``sets``: every set whose hits evaluating the tree may read. ``required``: groups of sets
    of which at least one must have a hit in the article for the tree to hold (a cheap filter
    before the tree is evaluated; empty when nothing is certain, e.g. under ``not``).
    """

    root: Cond
    sets: frozenset[int]
    required: tuple[frozenset[int], ...]


@dataclass(frozen=True, slots=True)
class CompiledGuard:
    """An ``unless`` exception: the match is dropped when ``condition`` holds in the scope."""

    scope: Scope
    window: int
    condition: CompiledCondition


def compile_condition(
    cond: Condition, leaf: Callable[[str], int], with_trigger: frozenset[int] = frozenset()
) -> CompiledCondition:
    """Compile a YAML condition; ``leaf`` gives the set id of a ``$list`` ref or inline term,
    ``with_trigger`` the sets whose hit may be the trigger's own word."""
    root, sets, required = _compile(cond, leaf, with_trigger)
    return CompiledCondition(root, frozenset(sets), tuple(required))


def _compile(
    cond: Condition, leaf: Callable[[str], int], with_trigger: frozenset[int]
) -> tuple[Cond, set[int], list[frozenset[int]]]:
    if isinstance(cond, str):
        set_id = leaf(cond)
        return SetCond(set_id, set_id in with_trigger), {set_id}, [frozenset({set_id})]
    if isinstance(cond, NotOf):
        part, sets, _ = _compile(cond.not_, leaf, with_trigger)
        return NotCond(part), sets, []
    compiled = [
        _compile(c, leaf, with_trigger) for c in (cond.all if isinstance(cond, AllOf) else cond.any)
    ]
    parts = tuple(part for part, _, _ in compiled)
    sets = set().union(*(part_sets for _, part_sets, _ in compiled))
    groups = [part_groups for _, _, part_groups in compiled]
    if isinstance(cond, AllOf):
        return AllCond(parts), sets, [g for part_groups in groups for g in part_groups]
    # Any part may be the one that holds, so a group is certain only when every part needs
    # exactly one: then one set of their union must be present.
    if groups and all(len(g) == 1 for g in groups):
        return AnyCond(parts), sets, [frozenset().union(*(g[0] for g in groups))]
    return AnyCond(parts), sets, []
