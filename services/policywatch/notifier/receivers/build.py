"""From a ``notifier.receivers`` config entry to the receiver it describes."""

from __future__ import annotations

import httpx

from policywatch.notifier.receivers.base import Receiver
from policywatch.notifier.receivers.console import ConsoleReceiver
from policywatch.notifier.receivers.kafka_topic import KafkaSender, KafkaTopicReceiver
from policywatch.notifier.receivers.slack import SlackReceiver
from policywatch.notifier.receivers.slack_bot import SlackBotReceiver
from policywatch.notifier.receivers.webhook import WebhookReceiver
from policywatch.notifier.story_messages import StoryMessages
from policywatch.settings.notifier import ReceiverConfig


def build_receiver(
    config: ReceiverConfig,
    *,
    client: httpx.Client,
    producer: KafkaSender,
    timeout: float,
    messages: StoryMessages | None = None,
) -> Receiver:
    """The receiver a config entry describes; secrets are unwrapped only here. ``messages``
    is where a ``slack_bot`` receiver keeps each story's message (the pipeline persists it)."""
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
    if config.slack_bot is not None:
        bot = config.slack_bot
        return SlackBotReceiver(
            config.name,
            bot.token.get_secret_value(),
            bot.channel,
            messages if messages is not None else StoryMessages(),
            base_url=bot.base_url,
            timeout=timeout,
        )
    if config.kafka is not None:
        return KafkaTopicReceiver(config.name, producer, config.kafka.topic)
    return ConsoleReceiver(config.name)


__all__ = ["build_receiver"]
