"""From a ``notifier.receivers`` config entry to the receiver it describes."""

from __future__ import annotations

import httpx

from policywatch.notifier.receivers.base import Receiver
from policywatch.notifier.receivers.console import ConsoleReceiver
from policywatch.notifier.receivers.kafka_topic import KafkaSender, KafkaTopicReceiver
from policywatch.notifier.receivers.slack import SlackReceiver
from policywatch.notifier.receivers.webhook import WebhookReceiver
from policywatch.settings.notifier import ReceiverConfig


def build_receiver(
    config: ReceiverConfig, *, client: httpx.Client, producer: KafkaSender, timeout: float
) -> Receiver:
    """The receiver a config entry describes; secrets are unwrapped only here."""
    if config.webhook is not None:
        return WebhookReceiver(
            config.name,
            client,
            config.webhook.url,
            config.webhook.signing_secrets(),
            timeout,
        )
    if config.slack is not None:
        return SlackReceiver(config.name, client, config.slack.url.get_secret_value(), timeout)
    if config.kafka is not None:
        return KafkaTopicReceiver(config.name, producer, config.kafka.topic)
    return ConsoleReceiver(config.name)


__all__ = ["build_receiver"]
