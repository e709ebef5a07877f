"""The receiver seam: what every kind of receiver (``webhook``, ``slack``, ``kafka_topic``,
``console``, and the ``memory`` fake) implements.

A :class:`Receiver` takes one notification per call and either returns (accepted) or raises
:class:`~policywatch.errors.DeliveryError` saying whether a retry may help (``retriable``), how
long the receiver asked to wait (``retry_after``) and whether it is gone for good (``gone``).
Retrying, backoff and dead-lettering are the worker's job, not the receiver's.
"""

from __future__ import annotations

from typing import Protocol

from policywatch.notifier.notification import Notification


class Receiver(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, notification: Notification) -> None:
        """Deliver one notification or raise DeliveryError."""
        ...

    def close(self) -> None: ...


__all__ = ["Receiver"]
