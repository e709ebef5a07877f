"""A real HTTP server on loopback whose documents a test changes between polls, feed builders,
and a reader that takes a topic to its end."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from policywatch.kafka import Consumer, Record
from policywatch.models import Article, decode_article
from policywatch.settings import KafkaSettings


@dataclass
class Page:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering (a slow server).
    delay: float = 0.0
    #: Send the body in chunks without a Content-Length.
    chunked: bool = False
    #: Serve this many bytes of "x" after ``body`` (a huge response), streamed.
    endless: int = 0


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class FeedServer:
    """``ThreadingHTTPServer`` in a thread; ``pages[path]`` is what each path answers."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(Request(self.path, dict(self.headers.items())))
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    self._answer(server.pages.get(self.path))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: a timeout or a size limit under test
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self, page: Page | None) -> None:
                if page is None:
                    self._plain(404, b"not found")
                    return
                if page.delay:
                    time.sleep(page.delay)
                fresh = (page.etag and self.headers.get("If-None-Match") == page.etag) or (
                    page.last_modified
                    and self.headers.get("If-Modified-Since") == page.last_modified
                )
                if page.status == 200 and fresh:
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                if page.etag:
                    self.send_header("ETag", page.etag)
                if page.last_modified:
                    self.send_header("Last-Modified", page.last_modified)
                for k, v in page.headers.items():
                    self.send_header(k, v)
                if page.chunked or page.endless:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self._chunk(page.body)
                    left = page.endless
                    block = b"x" * 65536
                    while left > 0:
                        self._chunk(block[: min(left, len(block))])
                        left -= len(block)
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def _chunk(self, data: bytes) -> None:
                if data:
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

            def _plain(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@dataclass
class Item:
    title: str | None
    text: str | None
    guid: str | None = None
    link: str | None = None
    published: str | None = None  # ISO 8601


def rss(items: list[Item], *, title: str = "Test Wire", language: str | None = "en") -> bytes:
    from datetime import datetime

    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>https://example.org/</link>",
        "<description>test feed</description>",
    ]
    if language:
        out.append(f"<language>{language}</language>")
    for it in items:
        out.append("<item>")
        if it.title is not None:
            out.append(f"<title>{escape(it.title)}</title>")
        if it.link:
            out.append(f"<link>{escape(it.link)}</link>")
        if it.guid:
            out.append(f'<guid isPermaLink="false">{escape(it.guid)}</guid>')
        if it.published:
            when = datetime.fromisoformat(it.published)
            out.append(f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>")
        if it.text is not None:
            out.append(f"<description>{escape(it.text)}</description>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode()


def atom(items: list[Item], *, title: str = "Test Desk", language: str | None = "en") -> bytes:
    lang = f' xml:lang="{language}"' if language else ""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom"{lang}>',
        f"<title>{escape(title)}</title><id>tag:example.org,2026:test</id>",
        "<updated>2026-11-20T00:00:00Z</updated>",
    ]
    for it in items:
        out.append("<entry>")
        if it.title is not None:
            out.append(f"<title>{escape(it.title)}</title>")
        if it.link:
            out.append(f'<link href="{escape(it.link)}"/>')
        if it.guid:
            out.append(f"<id>{escape(it.guid)}</id>")
        if it.published:
            out.append(f"<published>{it.published}</published>")
            out.append(f"<updated>{it.published}</updated>")
        if it.text is not None:
            out.append(f'<content type="html">{escape(it.text)}</content>')
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out).encode()


def read_to_end(settings: KafkaSettings, topic: str, timeout: float = 30.0) -> list[Record]:
    """Every record of ``topic``, read until no partition has anything left."""
    consumer = Consumer(settings, [topic], None)
    records: list[Record] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            records.extend(consumer.poll(timeout_ms=200))
            lag = consumer.lag()
            if set(lag) >= consumer.assignment() and not any(lag.values()):
                return records
        raise AssertionError(f"{topic} not read to its end within {timeout:.0f}s")
    finally:
        consumer.close()


def articles_in(settings: KafkaSettings, topic: str) -> list[Article]:
    return [decode_article(r.value or b"") for r in read_to_end(settings, topic)]


def serve(server: FeedServer) -> Iterator[FeedServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
