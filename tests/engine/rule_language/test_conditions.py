"""Compiling YAML conditions into node types, with the sets they read and the sets they need."""

from __future__ import annotations

from pydantic import TypeAdapter

from policywatch.engine.rule_language.conditions import (
    AllCond,
    AnyCond,
    CompiledCondition,
    NotCond,
    SetCond,
    compile_condition,
)
from policywatch.engine.rule_language.spec import Condition

IDS = {"$a": 1, "$b": 2, "$c": 3, "$d": 4}


def compiled(raw: object) -> CompiledCondition:
    cond: Condition = TypeAdapter(Condition).validate_python(raw)
    return compile_condition(cond, IDS.__getitem__)


def test_a_leaf_reads_and_needs_its_own_set() -> None:
    c = compiled("$a")
    assert c.root == SetCond(1)
    assert c.sets == {1}
    assert c.required == (frozenset({1}),)


def test_all_needs_every_part_and_any_needs_one_of_its_leaves() -> None:
    c = compiled({"all": ["$a", {"any": ["$b", "$c"]}]})
    assert c.root == AllCond((SetCond(1), AnyCond((SetCond(2), SetCond(3)))))
    assert c.sets == {1, 2, 3}
    assert c.required == (frozenset({1}), frozenset({2, 3}))


def test_a_negated_set_is_read_but_never_required() -> None:
    c = compiled({"all": ["$a", {"not": "$d"}]})
    assert c.root == AllCond((SetCond(1), NotCond(SetCond(4))))
    assert c.sets == {1, 4}
    assert c.required == (frozenset({1}),)


def test_any_with_a_part_that_needs_nothing_certain_requires_nothing() -> None:
    assert compiled({"any": ["$a", {"not": "$b"}]}).required == ()
    assert compiled({"any": ["$a", {"all": ["$b", "$c"]}]}).required == ()


def test_leaves_are_resolved_in_document_order() -> None:
    seen: list[str] = []

    def leaf(ref: str) -> int:
        seen.append(ref)
        return len(seen)

    compile_condition(
        TypeAdapter(Condition).validate_python({"all": ["$c", {"not": "$a"}, "$b"]}), leaf
    )
    assert seen == ["$c", "$a", "$b"]


def test_a_set_whose_words_may_be_the_trigger_says_so_in_its_leaf() -> None:
    cond: Condition = TypeAdapter(Condition).validate_python({"all": ["$a", "$b"]})
    c = compile_condition(cond, IDS.__getitem__, frozenset({2}))
    assert c.root == AllCond((SetCond(1, False), SetCond(2, True)))
