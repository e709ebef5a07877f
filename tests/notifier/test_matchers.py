"""Alertmanager's matcher syntax: operators, quoting, anchored regexes, missing labels."""

from __future__ import annotations

import pytest

from policywatch.models.matchers import MatcherError, parse_matcher, parse_matchers

LABELS = {"event_type": "sanctions_imposed", "actor": "US", "target": "RU", "severity": "high"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('event_type="sanctions_imposed"', True),
        ("event_type=sanctions_imposed", True),
        ("  actor = US ", True),
        ('actor!="US"', False),
        ('actor!="EU"', True),
        ('event_type=~"sanctions_.*"', True),
        ('event_type=~"sanctions"', False),  # anchored: the whole value must match
        ('severity!~"low|medium"', True),
        ('severity!~"high|critical"', False),
        ('language=""', True),  # a label the alert lacks is empty
        ('language!="en"', True),
        ('actor=~"U"', False),
    ],
)
def test_matchers_follow_alertmanager_semantics(text: str, expected: bool) -> None:
    assert parse_matcher(text).matches(LABELS) is expected


def test_quoted_values_take_escapes_and_operators_inside() -> None:
    m = parse_matcher(r'source="Le \"Monde\" = news\\"')
    assert (m.name, m.op, m.value) == ("source", "=", 'Le "Monde" = news\\')
    assert parse_matcher(str(m)) == m


def test_several_matchers_all_have_to_match() -> None:
    both = parse_matchers(['event_type=~"sanctions_.*"', 'actor!="US"'])
    assert not all(m.matches(LABELS) for m in both)
    assert all(m.matches({**LABELS, "actor": "EU"}) for m in both)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("actor", "expected label"),
        ('actor=~"(US"', "bad regex"),
        ('actor="US', "unterminated"),
        ('actor=U"S', "bare value"),
        (r'actor="\q"', "escapes"),
        ('1actor="US"', "expected label"),
    ],
)
def test_a_bad_matcher_is_refused_naming_its_text(text: str, problem: str) -> None:
    with pytest.raises(MatcherError) as err:
        parse_matcher(text)
    assert problem in str(err.value) and repr(text) in str(err.value)
