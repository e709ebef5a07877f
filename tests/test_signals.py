"""SIGTERM while the main thread is writing a log line must still stop the command."""

from __future__ import annotations

import subprocess
import sys

# A stream whose first write raises SIGTERM in its own process: the signal handler then runs
# in the main thread while structlog holds its print lock for that very line.
SCRIPT = """
import os, signal, sys, threading
from policywatch.cli.common import stop_on_signals
from policywatch.observability.logging import configure_logging
import structlog

class SignalOnFirstWrite:
    fired = False
    def write(self, text):
        if not SignalOnFirstWrite.fired:
            SignalOnFirstWrite.fired = True
            os.kill(os.getpid(), signal.SIGTERM)
        return sys.__stderr__.write(text)
    def flush(self):
        sys.__stderr__.flush()

configure_logging("info", "json", stream=SignalOnFirstWrite())
stop = stop_on_signals()
structlog.get_logger("test").info("a_line_being_written")
print("stopped" if stop.wait(5) else "not stopped", flush=True)
for thread in threading.enumerate():
    if thread.name == "shutdown-log":
        thread.join(5)  # its "shutdown_requested" line
"""


def test_a_signal_during_a_log_write_sets_stop_and_is_logged() -> None:
    # Before the fix the handler itself logged and waited forever for the lock its own thread
    # held: the child hung until this timeout.
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped"
    assert '"event": "shutdown_requested"' in done.stderr
    assert '"signal": "SIGTERM"' in done.stderr
