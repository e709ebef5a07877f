"""The console receiver: notifications for a person at a terminal (the out-of-the-box one)."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from policywatch.notifier.notification import Notification
from policywatch.render import format_alert


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


__all__ = ["ConsoleReceiver", "format_notification"]
