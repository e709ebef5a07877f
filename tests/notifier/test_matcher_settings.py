"""Matchers in the notifier's settings: routes and inhibit rules refuse what would never work."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from policywatch.notifier.routing import Router
from policywatch.settings.notifier import InhibitRule, NotifierSettings, Route


def test_route_matchers_combine_with_match_and_match_re() -> None:
    route = Route.model_validate(
        {
            "receiver": "ops",
            "routes": [
                {
                    "match": {"event_type": "sanctions_imposed"},
                    "match_re": {"severity": "high|critical"},
                    "matchers": ['actor!="US"'],
                    "receiver": "desk",
                }
            ],
        }
    )
    router = Router(route)
    labels = {"event_type": "sanctions_imposed", "severity": "high", "actor": "EU"}
    assert [m.receiver for m in router.route_labels(labels)] == ["desk"]
    assert [m.receiver for m in router.route_labels({**labels, "actor": "US"})] == ["ops"]
    assert [m.receiver for m in router.route_labels({**labels, "severity": "low"})] == ["ops"]


@pytest.mark.parametrize(
    ("matchers", "problem"),
    [
        (['actor=~"(US"'], "bad regex"),
        (['colour="red"'], "unknown label 'colour'"),
        (["actor"], "expected label"),
    ],
)
def test_a_route_refuses_a_bad_matcher(matchers: list[str], problem: str) -> None:
    with pytest.raises(ValidationError) as err:
        Route.model_validate({"receiver": "ops", "matchers": matchers})
    assert problem in str(err.value)


def test_the_root_route_takes_no_matchers() -> None:
    with pytest.raises(ValidationError, match="root route matches every alert"):
        NotifierSettings.model_validate(
            {
                "receivers": [{"name": "ops", "console": {}}],
                "route": {"receiver": "ops", "matchers": ['actor="US"']},
            }
        )


def test_an_inhibit_rule_needs_source_and_target_matchers() -> None:
    with pytest.raises(ValidationError, match="source_matchers"):
        InhibitRule.model_validate({"source_matchers": [], "target_matchers": ['actor="US"']})
    with pytest.raises(ValidationError, match="unknown label"):
        InhibitRule.model_validate(
            {"source_matchers": ['actor="US"'], "target_matchers": ['kind="x"']}
        )
    with pytest.raises(ValidationError, match="equal"):
        InhibitRule.model_validate(
            {"source_matchers": ['actor="US"'], "target_matchers": ['actor="EU"'], "equal": ["x"]}
        )
