"""Routing on the confidence band: sure alerts to one receiver, the rest to review."""

from __future__ import annotations

import pytest

from policywatch.notifier.routing import Router, alert_labels, confidence_band
from policywatch.settings.notifier import Route

from .helpers import make_alert


@pytest.mark.parametrize(
    ("confidence", "band"),
    [
        (1.0, "high"),
        (0.8, "high"),
        (0.7999, "medium"),
        (0.6, "medium"),
        (0.59, "low"),
        (0.0, "low"),
    ],
)
def test_bands_have_inclusive_lower_bounds(confidence: float, band: str) -> None:
    assert confidence_band(confidence) == band
    assert alert_labels(make_alert(confidence=confidence))["confidence"] == band


def test_a_route_sends_high_confidence_to_slack_and_the_rest_to_review() -> None:
    router = Router(
        Route.model_validate(
            {
                "receiver": "review",
                "routes": [{"match": {"confidence": "high"}, "receiver": "slack"}],
            }
        )
    )
    assert [m.receiver for m in router.route(make_alert(confidence=0.85))] == ["slack"]
    assert [m.receiver for m in router.route(make_alert(confidence=0.65))] == ["review"]
    assert [m.receiver for m in router.route(make_alert(confidence=0.3))] == ["review"]
