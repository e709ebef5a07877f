"""The notifier service: ``alerts`` → routing → story grouping → receivers.

Its configuration (receivers, routing tree, delivery policy) is ``policywatch.settings.notifier``.
"""

from __future__ import annotations

from policywatch.notifier.dead_letters import (
    DeadLetterSink,
    KafkaDeadLetterSink,
    MemoryDeadLetterSink,
)
from policywatch.notifier.notification import Notification
from policywatch.notifier.pipeline import MemoryStateStore, Pipeline
from policywatch.notifier.receivers import (
    ConsoleReceiver,
    KafkaTopicReceiver,
    MemoryReceiver,
    Receiver,
    SlackBotReceiver,
    SlackReceiver,
    WebhookReceiver,
)
from policywatch.notifier.routing import Router
from policywatch.notifier.service import NotifierService
from policywatch.notifier.slack_api_fake import SlackApiFake
from policywatch.notifier.webhook_listener import Delivery, WebhookListener

__all__ = [
    "ConsoleReceiver",
    "DeadLetterSink",
    "Delivery",
    "KafkaDeadLetterSink",
    "KafkaTopicReceiver",
    "MemoryDeadLetterSink",
    "MemoryReceiver",
    "MemoryStateStore",
    "Notification",
    "NotifierService",
    "Pipeline",
    "Receiver",
    "Router",
    "SlackApiFake",
    "SlackBotReceiver",
    "SlackReceiver",
    "WebhookListener",
    "WebhookReceiver",
]
