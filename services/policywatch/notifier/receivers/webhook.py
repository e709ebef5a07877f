"""The webhook receiver: JSON POSTs signed per Standard Webhooks (``notifier/signing.py``).

The body is the Standard Webhooks envelope (:class:`WebhookPayload`): ``type``, ``timestamp``,
and the notification as ``data``.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from policywatch.notifier.notification import Notification, WebhookPayload
from policywatch.notifier.receivers.http import USER_AGENT, post
from policywatch.notifier.signing import signed_headers


class WebhookReceiver:
    """POSTs the notification in its envelope, signed per Standard Webhooks with every secret
    (several during a rotation); ``webhook-id`` is the notification's id."""

    def __init__(
        self,
        name: str,
        client: httpx.Client,
        url: str,
        secret: str | Sequence[str],
        timeout: float = 15.0,
    ) -> None:
        self._name = name
        self._client = client
        self._url = url
        self._secrets = [secret] if isinstance(secret, str) else list(secret)
        if not self._secrets:
            raise ValueError(f"webhook receiver {name!r} needs a secret")
        self._timeout = timeout

    @property
    def name(self) -> str:
        return self._name

    def send(self, notification: Notification) -> None:
        body = WebhookPayload.wrap(notification).model_dump_json().encode()
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **signed_headers(self._secrets, notification.id, body),
        }
        post(self._client, self._name, self._url, body, headers, self._timeout)

    def close(self) -> None:
        pass


__all__ = ["WebhookReceiver"]
