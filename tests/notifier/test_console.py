"""The out-of-the-box console receiver and the local webhook listener used by ``run``."""

from __future__ import annotations

import io

import httpx
import pytest

from policywatch.errors import DeliveryError
from policywatch.notifier.console_receiver import (
    WebhookListener,
    generate_secret,
    local_webhook_config,
)
from policywatch.notifier.receiver import ConsoleReceiver
from policywatch.notifier.sinks import WebhookReceiver
from policywatch.settings import Settings

from .helpers import make_notification


def test_the_console_receiver_prints_the_story_and_the_alert() -> None:
    out = io.StringIO()
    ConsoleReceiver(stream=out).send(make_notification(sequence=2, sources=3))
    text = out.getvalue()
    assert "[UPDATE 2] story pws_test" in text
    assert "3 articles from Outlet 1, Outlet 2, Outlet 3" in text
    assert "weapons_restriction_lifted" in text and "United States (US) → Ukraine (UA)" in text


def test_the_local_listener_verifies_and_prints_what_it_receives() -> None:
    secret = generate_secret()
    out = io.StringIO()
    with WebhookListener(secret, out=out) as hook, httpx.Client() as client:
        settings = Settings(notifier=local_webhook_config(hook.url, secret))
        (receiver,) = settings.notifier.receivers
        assert receiver.webhook is not None and receiver.webhook.url == hook.url
        WebhookReceiver("local", client, hook.url, secret).send(make_notification())
        forged = WebhookReceiver("local", client, hook.url, generate_secret())
        with pytest.raises(DeliveryError, match="HTTP 401") as err:
            forged.send(make_notification())
        assert not err.value.retriable
    assert len(hook.deliveries) == 1 and hook.rejected
    assert "── webhook pws_test.1" in out.getvalue()
    assert "[NEW] story pws_test" in out.getvalue()
