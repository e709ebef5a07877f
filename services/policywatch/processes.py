"""Child processes that die with their parent.

``subprocess.Popen(..., preexec_fn=die_with_parent(signal.SIGTERM))`` asks the Linux kernel
(``prctl(PR_SET_PDEATHSIG)``) to signal the child when its parent goes away — even by SIGKILL,
which runs no ``finally`` and no ``atexit``. A parent killed before the child armed it is caught
by comparing the parent pid. Elsewhere than Linux it returns None (no preexec function).

The kernel ties the signal to the parent *thread* that started the child: start long-lived
children from a thread that lives as long as the process (the main thread).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

#: From <sys/prctl.h>.
PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child receive ``sig`` when this process dies."""
    if not sys.platform.startswith("linux"):
        return None
    # Resolved here, in the parent: the child runs between fork and exec, where loading a
    # library is not safe.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def arm() -> None:
        if prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            os._exit(127)  # refuse to run as a possible orphan
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return arm


__all__ = ["PR_SET_PDEATHSIG", "die_with_parent"]
