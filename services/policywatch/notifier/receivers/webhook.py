"""The webhook receiver: JSON POSTs signed per Standard Webhooks (``notifier/signing.py``)."""

from __future__ import annotations

import httpx

from policywatch.notifier.notification import Notification
from policywatch.notifier.receivers.http import USER_AGENT, post
from policywatch.notifier.signing import signed_headers


class WebhookReceiver:
    """POSTs the notification JSON, signed per Standard Webhooks; ``webhook-id`` is its id."""

    def __init__(
        self, name: str, client: httpx.Client, url: str, secret: str, timeout: float = 10.0
    ) -> None:
        self._name = name
        self._client = client
        self._url = url
        self._secret = secret
        self._timeout = timeout

    @property
    def name(self) -> str:
        return self._name

    def send(self, notification: Notification) -> None:
        body = notification.model_dump_json().encode()
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **signed_headers(self._secret, notification.id, body),
        }
        post(self._client, self._name, self._url, body, headers, self._timeout)

    def close(self) -> None:
        pass


__all__ = ["WebhookReceiver"]
