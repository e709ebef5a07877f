"""A fake Slack Web API on loopback (stdlib ``http.server``) for the ``slack_bot`` receiver.

It implements ``chat.postMessage`` and ``chat.update`` as Slack answers them (``ok``,
``channel``, ``ts``; ``invalid_auth`` for a wrong token; ``message_not_found`` for an unknown
``ts``), keeps the messages and records every call, so a test checks what a real workspace
would show. ``respond_with`` scripts the next answers (e.g. 429 with ``Retry-After``).

    with SlackApiFake(token="xoxb-test") as slack:
        receiver = {"name": "analysts",
                    "slack_bot": {"token": "xoxb-test", "channel": "#policy",
                                  "base_url": slack.base_url}}
        ...
        slack.wait_for(3, timeout=10)      # calls: .method, .body
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from policywatch.web import BackgroundServer

#: The channel id every channel name resolves to (Slack answers with ids, not names).
CHANNEL_ID = "C0FAKE0001"


@dataclass(frozen=True)
class SlackCall:
    method: str
    body: dict[str, Any]
    authorization: str


class SlackApiFake:
    def __init__(self, token: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self._token = token
        self._host = host
        self._port = port
        self._server: BackgroundServer | None = None
        self._cond = threading.Condition()
        self._script: deque[tuple[int, dict[str, str], dict[str, Any]]] = deque()
        self._next_ts = 1_700_000_000
        self.calls: list[SlackCall] = []
        self.messages: dict[str, dict[str, Any]] = {}

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("fake Slack API not started")
        return f"http://{self._host}:{self._server.port}/api/"

    def respond_with(
        self, status: int, headers: dict[str, str] | None = None, body: dict[str, Any] | None = None
    ) -> None:
        """Answer the next call with this, instead of handling it."""
        with self._cond:
            self._script.append((status, headers or {}, body or {"ok": False, "error": "scripted"}))

    def wait_for(self, count: int, timeout: float) -> list[SlackCall]:
        """Block until ``count`` calls were handled (or ``timeout``); returns a copy."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.calls) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.calls)

    def _handle(
        self, method: str, auth: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._cond:
            if self._script:
                return self._script.popleft()
            if auth != f"Bearer {self._token}":
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            if method == "chat.postMessage":
                answer = self._post(body)
            elif method == "chat.update":
                answer = self._update(body)
            else:
                return 404, {}, {"ok": False, "error": "unknown_method"}
            if answer.get("ok"):
                self.calls.append(SlackCall(method, body, auth))
                self._cond.notify_all()
            return 200, {}, answer

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("channel") or not (body.get("text") or body.get("blocks")):
            return {"ok": False, "error": "no_text"}
        thread = body.get("thread_ts")
        if thread is not None and thread not in self.messages:
            return {"ok": False, "error": "thread_not_found"}
        self._next_ts += 1
        ts = f"{self._next_ts}.000100"
        self.messages[ts] = dict(body)
        return {"ok": True, "channel": CHANNEL_ID, "ts": ts, "message": body}

    def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        ts = body.get("ts")
        if body.get("channel") != CHANNEL_ID:
            return {"ok": False, "error": "channel_not_found"}
        if ts not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[ts] = {**self.messages[ts], **body}
        return {"ok": True, "channel": CHANNEL_ID, "ts": ts}

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                kind = self.headers.get("content-type") or ""
                if kind.startswith("application/json"):
                    body = json.loads(raw or b"{}")
                else:
                    body = dict(parse_qsl(raw.decode()))
                method = self.path.rsplit("/", 1)[-1]
                auth = self.headers.get("authorization") or ""
                status, headers, answer = fake._handle(method, auth, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = BackgroundServer(
            self._host, self._port, Handler, name="slack-api-fake"
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> SlackApiFake:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = ["CHANNEL_ID", "SlackApiFake", "SlackCall"]
