"""The notifier service: ``alerts`` → routing → story grouping → receivers.

Names are loaded on first use: ``policywatch.settings`` imports ``notifier.config``, and the
service modules import the settings, so this package must not import them eagerly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policywatch.notifier.config import NotifierSettings, notifier_json_schema
    from policywatch.notifier.console_receiver import Delivery, WebhookListener
    from policywatch.notifier.notification import Notification
    from policywatch.notifier.pipeline import MemoryStateStore, Pipeline
    from policywatch.notifier.receiver import (
        ConsoleReceiver,
        MemoryDeadLetterSink,
        MemoryReceiver,
        Receiver,
    )
    from policywatch.notifier.routing import Router
    from policywatch.notifier.service import NotifierService

_WHERE = {
    "ConsoleReceiver": "receiver",
    "Delivery": "console_receiver",
    "MemoryDeadLetterSink": "receiver",
    "MemoryReceiver": "receiver",
    "MemoryStateStore": "pipeline",
    "Notification": "notification",
    "NotifierService": "service",
    "NotifierSettings": "config",
    "Pipeline": "pipeline",
    "Receiver": "receiver",
    "Router": "routing",
    "WebhookListener": "console_receiver",
    "notifier_json_schema": "config",
}

__all__ = [
    "ConsoleReceiver",
    "Delivery",
    "MemoryDeadLetterSink",
    "MemoryReceiver",
    "MemoryStateStore",
    "Notification",
    "NotifierService",
    "NotifierSettings",
    "Pipeline",
    "Receiver",
    "Router",
    "WebhookListener",
    "notifier_json_schema",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'policywatch.notifier' has no attribute {name!r}")
    return getattr(importlib.import_module(f"policywatch.notifier.{module}"), name)
