"""The receiver seam, and the receivers that need no network: console and in-memory.

A :class:`Receiver` takes one notification per call and either returns (accepted) or raises
:class:`~policywatch.errors.DeliveryError` saying whether a retry may help (``retriable``), how
long the receiver asked to wait (``retry_after``) and whether it is gone for good (``gone``).
Retrying, backoff and dead-lettering are the worker's job, not the receiver's.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TextIO

from policywatch.errors import DeliveryError
from policywatch.notifier.notification import Notification
from policywatch.render import format_alert


class Receiver(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, notification: Notification) -> None:
        """Deliver one notification or raise DeliveryError."""
        ...

    def close(self) -> None: ...


class DeadLetterSink(Protocol):
    def dead_letter(self, notification: Notification, *, reason: str, error: str) -> None:
        """Persist a notification that could not be delivered, or raise."""
        ...


def format_notification(n: Notification) -> str:
    """A notification for a person at a terminal: the alert plus the story's corroboration."""
    head = "NEW" if n.kind == "new" else f"UPDATE {n.sequence}"
    outlets = ", ".join(dict.fromkeys(s.source for s in n.sources))
    more = n.corroboration - len(n.sources)
    tail = f" (+{more} more)" if more > 0 else ""
    return (
        f"[{head}] story {n.story_id} → {n.receiver}: "
        f"{n.corroboration} article{'s' * (n.corroboration != 1)} from {outlets}{tail}\n"
        f"{format_alert(n.alert)}"
    )


class ConsoleReceiver:
    """Writes each notification to a stream (stdout by default): the out-of-the-box receiver."""

    def __init__(self, name: str = "console", stream: TextIO | None = None) -> None:
        self._name = name
        self._stream = stream
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    def send(self, notification: Notification) -> None:
        stream = self._stream or sys.stdout
        with self._lock:
            print(format_notification(notification), end="\n\n", file=stream, flush=True)

    def close(self) -> None:
        pass


class MemoryReceiver:
    """A fake receiver for tests: keeps what it accepted; can fail on cue.

    ``failures`` are raised one per attempt, in order, before the receiver starts accepting.
    """

    def __init__(self, name: str = "memory", failures: Iterable[DeliveryError] = ()) -> None:
        self._name = name
        self._failures: deque[DeliveryError] = deque(failures)
        self._cond = threading.Condition()
        self.sent: list[Notification] = []
        self.attempts = 0

    @property
    def name(self) -> str:
        return self._name

    def fail_next(self, *errors: DeliveryError) -> None:
        with self._cond:
            self._failures.extend(errors)

    def send(self, notification: Notification) -> None:
        with self._cond:
            self.attempts += 1
            if self._failures:
                raise self._failures.popleft()
            self.sent.append(notification)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float) -> list[Notification]:
        """Block until ``count`` notifications arrived (or ``timeout``); returns a copy."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.sent) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.sent)

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class DeadLetter:
    notification: Notification
    reason: str
    error: str


class MemoryDeadLetterSink:
    """A fake dead-letter sink for tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.letters: list[DeadLetter] = []

    def dead_letter(self, notification: Notification, *, reason: str, error: str) -> None:
        with self._lock:
            self.letters.append(DeadLetter(notification, reason, error))
