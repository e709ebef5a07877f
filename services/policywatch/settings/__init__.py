"""One settings tree for every service, built once at the entry point and passed down.

``tree`` holds the root :class:`Settings` and :func:`load_settings`; ``sections`` the Kafka,
topics, rules, detector and logging sections; ``ingest`` the ``ingest:`` section (the feeds to
poll); ``notifier`` the ``notifier:`` section (receivers, routing tree, delivery policy). Every
config schema lives here, so that the lower floors (kafka, engine, observability) can read their
settings without importing a service.
"""

from __future__ import annotations

from policywatch.settings.ingest import FeedSettings, IngestSettings
from policywatch.settings.notifier import (
    ConsoleTarget,
    DeliveryPolicy,
    InhibitRule,
    KafkaTarget,
    Label,
    NotifierSettings,
    ReceiverConfig,
    Route,
    SlackBotTarget,
    SlackTarget,
    WebhookTarget,
    notifier_json_schema,
    parse_duration,
)
from policywatch.settings.sections import (
    DetectorSettings,
    KafkaSettings,
    LoggingSettings,
    RulesSettings,
    TopicSettings,
)
from policywatch.settings.tree import Settings, load_settings

__all__ = [
    "ConsoleTarget",
    "DeliveryPolicy",
    "DetectorSettings",
    "FeedSettings",
    "IngestSettings",
    "InhibitRule",
    "KafkaSettings",
    "KafkaTarget",
    "Label",
    "LoggingSettings",
    "NotifierSettings",
    "ReceiverConfig",
    "Route",
    "RulesSettings",
    "Settings",
    "SlackBotTarget",
    "SlackTarget",
    "TopicSettings",
    "WebhookTarget",
    "load_settings",
    "notifier_json_schema",
    "parse_duration",
]
