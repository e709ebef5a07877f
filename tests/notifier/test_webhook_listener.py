"""The local webhook listener that `policywatch run` and the tests deliver to."""

from __future__ import annotations

import io

import httpx
import pytest

from policywatch.errors import DeliveryError
from policywatch.notifier.receivers import WebhookReceiver
from policywatch.notifier.webhook_listener import (
    WebhookListener,
    generate_secret,
    local_webhook_config,
)
from policywatch.settings import Settings

from .helpers import make_notification


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
    assert f"── webhook {make_notification().id}" in out.getvalue()
    assert "[NEW] story pws_test" in out.getvalue()
