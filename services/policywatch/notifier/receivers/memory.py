"""A fake receiver for tests, beside the real ones: keeps what it accepted, fails on cue."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable

from policywatch.errors import DeliveryError
from policywatch.notifier.notification import Notification


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


__all__ = ["MemoryReceiver"]
