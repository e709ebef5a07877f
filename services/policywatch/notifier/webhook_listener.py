"""A local webhook receiver (stdlib ``http.server``): verifies, collects and prints deliveries.

``policywatch run`` starts one so the demo shows signed webhooks end to end; the tests use it as
the real HTTP server a receiver stands for. ``respond_with`` scripts the next answers (e.g. 500,
then 410, or 429 with ``Retry-After``) to exercise the notifier's delivery policy.

    with WebhookListener(secret, out=sys.stdout) as hook:
        settings = {"notifier": local_webhook_config(hook.url, secret)}
        ...
        hook.wait_for(1, timeout=10)
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any, TextIO

from pydantic import ValidationError

from policywatch.notifier.notification import Notification, WebhookPayload
from policywatch.notifier.receivers.console import format_notification
from policywatch.notifier.signing import SignatureError, verify
from policywatch.web import BackgroundServer

#: Larger request bodies are refused (413): the listener is for local use and tests.
MAX_BODY_BYTES = 4 * 1024 * 1024


def generate_secret() -> str:
    """A fresh Standard Webhooks secret (``whsec_`` + 32 random bytes in base64)."""
    return "whsec_" + base64.b64encode(os.urandom(32)).decode("ascii")


def local_webhook_config(url: str, secret: str, name: str = "local") -> dict[str, Any]:
    """A ``notifier:`` settings section sending every alert to one webhook (for ``run``)."""
    return {
        "receivers": [{"name": name, "webhook": {"url": url, "secret": secret}}],
        "route": {"receiver": name},
    }


@dataclass(frozen=True)
class Delivery:
    """One request the listener accepted."""

    id: str | None
    headers: dict[str, str]
    body: bytes
    received_at: float

    def json(self) -> Any:
        return json.loads(self.body)

    def payload(self) -> WebhookPayload:
        """The Standard Webhooks envelope: ``type``, ``timestamp``, ``data``."""
        return WebhookPayload.model_validate_json(self.body)

    def notification(self) -> Notification:
        return self.payload().data


class WebhookListener:
    """Accepts POSTs on loopback; with a ``secret`` it answers 401 to badly signed requests."""

    def __init__(
        self,
        secret: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        out: TextIO | None = None,
    ) -> None:
        self._secret = secret
        self._host = host
        self._port = port
        self._out = out
        self._server: BackgroundServer | None = None
        self._cond = threading.Condition()
        self._script: deque[tuple[int, dict[str, str]]] = deque()
        self.deliveries: list[Delivery] = []
        self.attempts = 0
        self.rejected: list[str] = []

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("listener not started")
        return self._server.port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}/hook"

    def respond_with(self, *answers: int | tuple[int, dict[str, str]]) -> None:
        """Answer the next requests with these statuses (and headers), then 200 again."""
        with self._cond:
            for a in answers:
                self._script.append(a if isinstance(a, tuple) else (a, {}))

    def ids(self) -> list[str | None]:
        with self._cond:
            return [d.id for d in self.deliveries]

    def wait_for(self, count: int, timeout: float) -> list[Delivery]:
        """Block until ``count`` deliveries were accepted (or ``timeout``); returns a copy."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.deliveries) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.deliveries)

    def _receive(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        with self._cond:
            self.attempts += 1
            if self._script:
                return self._script.popleft()
        msg_id = headers.get("webhook-id")
        if self._secret is not None:
            try:
                msg_id = verify(self._secret, body, headers)
            except SignatureError as exc:
                with self._cond:
                    self.rejected.append(str(exc))
                return 401, {}
        delivery = Delivery(msg_id, headers, body, time.time())
        with self._cond:
            self.deliveries.append(delivery)
            self._cond.notify_all()
        if self._out is not None:
            self._print(delivery)
        return 200, {}

    def _print(self, delivery: Delivery) -> None:
        assert self._out is not None
        try:
            text = format_notification(delivery.notification())
        except ValidationError:
            text = delivery.body.decode("utf-8", "replace")
        try:
            print(f"── webhook {delivery.id or '(no id)'}\n{text}", file=self._out, flush=True)
        except (BrokenPipeError, ValueError):  # the reader went away (`run | head`)
            self._out = None

    def start(self) -> None:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length > MAX_BODY_BYTES:
                    self._answer(413, {})
                    return
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                self._answer(*listener._receive(headers, body))

            def _answer(self, status: int, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = BackgroundServer(
            self._host, self._port, Handler, name="webhook-listener"
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> WebhookListener:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
