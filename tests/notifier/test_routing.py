"""The routing tree: match, match_re, continue, inheritance and the default receiver."""

from __future__ import annotations

from typing import Any

import pytest

from policywatch.notifier.routing import DEFAULT_GROUP_WAIT, Router, alert_labels
from policywatch.settings.notifier import Route

from .helpers import make_alert


def _router(tree: dict[str, Any]) -> Router:
    return Router(Route.model_validate(tree))


def _receivers(router: Router, **kwargs: Any) -> list[str]:
    return [m.receiver for m in router.route(make_alert(**kwargs))]


def test_an_alert_no_child_matches_goes_to_the_default_receiver() -> None:
    router = _router(
        {
            "receiver": "ops",
            "routes": [{"match": {"event_type": "sanctions_imposed"}, "receiver": "x"}],
        }
    )
    assert _receivers(router) == ["ops"]


def test_the_first_matching_child_wins_without_continue() -> None:
    router = _router(
        {
            "receiver": "ops",
            "routes": [
                {"match": {"actor": "US"}, "receiver": "americas"},
                {"match": {"severity": "critical"}, "receiver": "oncall"},
            ],
        }
    )
    assert _receivers(router) == ["americas"]
    assert _receivers(router, actor=("FR", "France")) == ["oncall"]
    assert _receivers(router, actor=("FR", "France"), severity="low") == ["ops"]


def test_continue_keeps_trying_later_siblings() -> None:
    router = _router(
        {
            "receiver": "ops",
            "routes": [
                {
                    "match": {"event_type": "weapons_restriction_lifted"},
                    "receiver": "analysts",
                    "continue": True,
                },
                {"match": {"target": "UA"}, "receiver": "ukraine-desk"},
                {"receiver": "never"},
            ],
        }
    )
    assert _receivers(router) == ["analysts", "ukraine-desk"]
    assert _receivers(router, target=("IL", "Israel")) == ["analysts", "never"]


def test_match_re_must_match_the_whole_label_value() -> None:
    router = _router(
        {
            "receiver": "ops",
            "routes": [
                {"match_re": {"event_type": "sanctions_.*|embargo_.*"}, "receiver": "trade"}
            ],
        }
    )
    assert _receivers(router, event_type="embargo_imposed") == ["trade"]
    assert _receivers(router, event_type="sanctions_lifted") == ["trade"]
    assert _receivers(router, event_type="export_controls_eased") == ["ops"]
    partial = _router(
        {"receiver": "ops", "routes": [{"match_re": {"actor": "U"}, "receiver": "u"}]}
    )
    assert _receivers(partial) == ["ops"]  # "U" does not fullmatch "US"


def test_nested_routes_match_deepest_and_inherit_unset_fields() -> None:
    router = _router(
        {
            "receiver": "ops",
            "group_by": ["event_type"],
            "group_wait": "30s",
            "routes": [
                {
                    "match": {"actor": "US"},
                    "receiver": "americas",
                    "group_interval": "2m",
                    "routes": [{"match": {"severity": "critical"}, "group_wait": 0}],
                }
            ],
        }
    )
    (m,) = router.route(make_alert())
    assert (m.receiver, m.group_by, m.group_wait, m.group_interval) == (
        "americas",
        ("event_type",),
        0.0,
        120.0,
    )
    (low,) = router.route(make_alert(severity="low"))
    assert (low.receiver, low.group_wait, low.path) == ("americas", 30.0, "root.0")


def test_root_defaults_group_by_story_fields() -> None:
    (m,) = _router({"receiver": "ops"}).route(make_alert())
    assert m.group_by == ("event_type", "actor", "target", "instruments")
    assert m.group_wait == DEFAULT_GROUP_WAIT


def test_two_routes_to_the_same_receiver_and_grouping_notify_once() -> None:
    router = _router(
        {
            "receiver": "ops",
            "routes": [
                {"match": {"actor": "US"}, "receiver": "ops", "continue": True},
                {"match": {"severity": "critical"}, "receiver": "ops"},
            ],
        }
    )
    assert _receivers(router) == ["ops"]


def test_labels_normalise_instruments_and_missing_target() -> None:
    labels = alert_labels(make_alert(target=None, instruments=("Storm Shadow", "ATACMS")))
    assert labels["target"] == "-"
    assert labels["instruments"] == "atacms,storm shadow"


def test_group_key_differs_by_instruments() -> None:
    (m,) = _router({"receiver": "ops"}).route(make_alert())
    a = m.group_key(alert_labels(make_alert(instruments=("ATACMS",))))
    b = m.group_key(alert_labels(make_alert(instruments=("Storm Shadow",))))
    assert a != b


def test_a_bad_regex_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="invalid regex"):
        Route.model_validate({"receiver": "ops", "routes": [{"match_re": {"actor": "("}}]})
