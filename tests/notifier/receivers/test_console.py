"""The console receiver: what a person at a terminal reads."""

from __future__ import annotations

import io

from policywatch.notifier.receivers import ConsoleReceiver

from ..helpers import make_notification


def test_the_console_receiver_prints_the_story_and_the_alert() -> None:
    out = io.StringIO()
    ConsoleReceiver(stream=out).send(make_notification(sequence=2, sources=3))
    text = out.getvalue()
    assert "[UPDATE 2] story pws_test" in text
    assert "3 articles from Outlet 1, Outlet 2, Outlet 3" in text
    assert "weapons_restriction_lifted" in text and "United States (US) → Ukraine (UA)" in text
