"""Receivers: where notifications are delivered, one module per kind.

``base`` holds the :class:`Receiver` protocol; ``webhook``, ``slack``, ``slack_bot``,
``kafka_topic`` and ``console`` the real receivers (``http`` what the HTTP ones share);
``memory`` the fake for tests; ``build`` turns a config entry into a receiver.
"""

from __future__ import annotations

from policywatch.notifier.receivers.base import Receiver
from policywatch.notifier.receivers.build import build_receiver
from policywatch.notifier.receivers.console import ConsoleReceiver, format_notification
from policywatch.notifier.receivers.http import make_http_client, parse_retry_after
from policywatch.notifier.receivers.kafka_topic import KafkaSender, KafkaTopicReceiver
from policywatch.notifier.receivers.memory import MemoryReceiver
from policywatch.notifier.receivers.slack import SlackReceiver
from policywatch.notifier.receivers.slack_bot import SlackBotReceiver
from policywatch.notifier.receivers.webhook import WebhookReceiver

__all__ = [
    "ConsoleReceiver",
    "KafkaSender",
    "KafkaTopicReceiver",
    "MemoryReceiver",
    "Receiver",
    "SlackBotReceiver",
    "SlackReceiver",
    "WebhookReceiver",
    "build_receiver",
    "format_notification",
    "make_http_client",
    "parse_retry_after",
]
