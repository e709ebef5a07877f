"""Receivers that leave the process: signed webhooks, Slack, Kafka topics; the Kafka DLQ.

The only notifier module that imports ``httpx``. The client is injected (one per service, shared by
every HTTP receiver) so tests can point it at real loopback servers. HTTP outcomes map to
:class:`~policywatch.errors.DeliveryError`: 2xx accepted; 410 gone (the receiver is disabled);
408, 425, 429 and 5xx retriable (honouring ``Retry-After``); any other status rejected
(dead-lettered at once); network errors and timeouts retriable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from policywatch.errors import DeliveryError, KafkaAdapterError
from policywatch.kafka import SendResult, dead_letter_headers
from policywatch.notifier.config import ReceiverConfig
from policywatch.notifier.notification import Notification
from policywatch.notifier.receiver import ConsoleReceiver, Receiver
from policywatch.notifier.signing import signed_headers
from policywatch.notifier.slack import slack_message

USER_AGENT = "policywatch-notifier/1"
_RETRIABLE_STATUS = frozenset({408, 425, 429})


class KafkaSender(Protocol):
    """The part of :class:`policywatch.kafka.Producer` the Kafka receiver and DLQ use."""

    def send(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> SendResult: ...

    def flush(self, timeout: float | None = None) -> None: ...


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    return max(0.0, (when - current).total_seconds())


def check_response(receiver: str, response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = f"{receiver} answered HTTP {status}"
    if status == 410:
        raise DeliveryError(detail, receiver=receiver, retriable=False, gone=True)
    if status in _RETRIABLE_STATUS or status >= 500:
        raise DeliveryError(
            detail,
            receiver=receiver,
            retriable=True,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    raise DeliveryError(detail, receiver=receiver, retriable=False)


def _post(
    client: httpx.Client,
    receiver: str,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
) -> None:
    try:
        response = client.post(url, content=body, headers=dict(headers), timeout=timeout)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{receiver} timed out", receiver=receiver, retriable=True) from exc
    except httpx.HTTPError as exc:
        # The message of a transport error never contains the URL (which may be a secret).
        raise DeliveryError(
            f"{receiver} unreachable: {type(exc).__name__}", receiver=receiver, retriable=True
        ) from exc
    check_response(receiver, response)


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
        _post(self._client, self._name, self._url, body, headers, self._timeout)

    def close(self) -> None:
        pass


class SlackReceiver:
    """Posts a Block Kit message to a Slack incoming webhook."""

    def __init__(self, name: str, client: httpx.Client, url: str, timeout: float = 10.0) -> None:
        self._name = name
        self._client = client
        self._url = url
        self._timeout = timeout

    @property
    def name(self) -> str:
        return self._name

    def send(self, notification: Notification) -> None:
        body = json.dumps(slack_message(notification), ensure_ascii=False).encode()
        headers = {"content-type": "application/json", "user-agent": USER_AGENT}
        _post(self._client, self._name, self._url, body, headers, self._timeout)

    def close(self) -> None:
        pass


def _notification_headers(n: Notification) -> list[tuple[str, bytes]]:
    return [
        ("pw-notification-id", n.id.encode()),
        ("pw-story-id", n.story_id.encode()),
        ("pw-receiver", n.receiver.encode()),
    ]


class KafkaTopicReceiver:
    """Produces the notification JSON to a topic, keyed by story id (so a story stays ordered)."""

    def __init__(self, name: str, producer: KafkaSender, topic: str, timeout: float = 30.0) -> None:
        self._name = name
        self._producer = producer
        self._topic = topic
        self._timeout = timeout

    @property
    def name(self) -> str:
        return self._name

    def send(self, notification: Notification) -> None:
        try:
            result = self._producer.send(
                self._topic,
                notification.model_dump_json().encode(),
                key=notification.story_id.encode(),
                headers=_notification_headers(notification),
            )
            self._producer.flush(timeout=self._timeout)
            result.get(timeout=self._timeout)
        except KafkaAdapterError as exc:
            raise DeliveryError(
                f"{self._name}: produce to {self._topic} failed: {exc}",
                receiver=self._name,
                retriable=True,
            ) from exc

    def close(self) -> None:
        pass


class KafkaDeadLetterSink:
    """Writes undeliverable notifications to ``alerts.dlq`` with the reason in headers."""

    def __init__(
        self, producer: KafkaSender, topic: str, service: str = "notifier", timeout: float = 30.0
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._service = service
        self._timeout = timeout

    def dead_letter(self, notification: Notification, *, reason: str, error: str) -> None:
        headers = [
            *dead_letter_headers(None, reason=reason, error=error, service=self._service),
            *_notification_headers(notification),
        ]
        result = self._producer.send(
            self._topic,
            notification.model_dump_json().encode(),
            key=notification.story_id.encode(),
            headers=headers,
        )
        self._producer.flush(timeout=self._timeout)
        result.get(timeout=self._timeout)


def build_receiver(
    config: ReceiverConfig, *, client: httpx.Client, producer: KafkaSender, timeout: float
) -> Receiver:
    """The receiver a config entry describes; secrets are unwrapped only here."""
    if config.webhook is not None:
        return WebhookReceiver(
            config.name,
            client,
            config.webhook.url,
            config.webhook.secret.get_secret_value(),
            timeout,
        )
    if config.slack is not None:
        return SlackReceiver(config.name, client, config.slack.url.get_secret_value(), timeout)
    if config.kafka is not None:
        return KafkaTopicReceiver(config.name, producer, config.kafka.topic)
    return ConsoleReceiver(config.name)


def make_http_client() -> httpx.Client:
    """The client a service shares across its HTTP receivers (redirects are not followed)."""
    return httpx.Client(follow_redirects=False, headers={"user-agent": USER_AGENT})
