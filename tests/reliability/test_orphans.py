"""No process outlives the command that started it: the embedded broker (Tansu) and the
services of ``policywatch run`` die with their parent, whether it is killed with SIGKILL or its
stdout is closed under it (``policywatch run | head -3``). Each check follows the child by pid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from policywatch.broker import free_port, port_open

pytestmark = pytest.mark.slow


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a live process; None once it is gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]
    return None if state in ("Z", "X") else (state, int(ppid))


def _descendants(root: int) -> dict[int, str]:
    """Live descendants of ``root``: pid → command line."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            parents[int(entry)] = st[1]
    found: dict[int, str] = {}
    frontier = {root}
    while frontier:
        children = {pid for pid, ppid in parents.items() if ppid in frontier} - set(found)
        for pid in children:
            try:
                found[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
        frontier = children
    return found


def _wait(what: str, predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)


def _children_of(proc: subprocess.Popen[bytes], want: int, timeout: float) -> dict[int, str]:
    """Wait until ``proc`` has ``want`` descendants (Tansu; and the services for ``run``)."""
    found: dict[int, str] = {}

    def enough() -> bool:
        nonlocal found
        assert proc.poll() is None, f"exited early with {proc.returncode}"
        found = {
            pid: cmd
            for pid, cmd in _descendants(proc.pid).items()
            if "tansu" in cmd
            or "policywatch detector" in cmd
            or "policywatch notifier" in cmd
            or "policywatch ingest" in cmd
        }
        return len(found) >= want

    _wait(f"{want} children of pid {proc.pid}", enough, timeout)
    return found


def _all_gone(pids: dict[int, str]) -> bool:
    return all(_stat(pid) is None for pid in pids)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PW_")}


def _policywatch(*args: str, stdout: int, stderr: int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "policywatch", *args], env=_env(), stdout=stdout, stderr=stderr
    )


def test_kill_9_of_policywatch_broker_takes_its_tansu_with_it() -> None:
    port = free_port()
    proc = _policywatch("broker", "--port", str(port), stdout=subprocess.DEVNULL)
    try:
        tansu = _children_of(proc, 1, 30)
        _wait("the broker to listen", lambda: port_open("127.0.0.1", port), 30)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        _wait(f"Tansu {sorted(tansu)} to exit", lambda: _all_gone(tansu), 10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_kill_9_of_policywatch_run_takes_the_broker_and_the_services_with_it() -> None:
    proc = _policywatch("run", "--port", str(free_port()), stdout=subprocess.DEVNULL)
    try:
        children = _children_of(proc, 4, 120)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        _wait(f"children {children} to exit", lambda: _all_gone(children), 60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_run_piped_into_head_shuts_everything_down_when_its_stdout_closes() -> None:
    run = _policywatch(
        "run", "--once", "--port", str(free_port()), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert run.stdout is not None and run.stderr is not None
    # Five lines: the services are started by the fourth, so head outlives their start.
    head = subprocess.Popen(["head", "-5"], stdin=run.stdout, stdout=subprocess.PIPE)
    run.stdout.close()  # head alone reads it: when head exits, the pipe has no reader
    try:
        children = _children_of(run, 4, 120)
        shown, _ = head.communicate(timeout=120)
        assert len(shown.splitlines()) == 5
        code = run.wait(timeout=120)
        errors = run.stderr.read().decode()
        assert "Traceback" not in errors, errors
        assert code == 0, errors
        _wait(f"children {children} to exit", lambda: _all_gone(children), 30)
    finally:
        for p in (run, head):
            if p.poll() is None:
                p.kill()
                p.wait()
        run.stderr.close()
        if head.stdout is not None:
            head.stdout.close()
