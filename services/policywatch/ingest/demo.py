"""The bundled demo feeds (``policywatch/demo/feeds/``), served on loopback for ``policywatch run``.

Each document is served with an ``ETag`` and ``Last-Modified``, and answers a matching
conditional request with 304, so the demo's second poll shows the polite path too.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from importlib import resources
from typing import Any

from policywatch.ingest.articles import item_language, to_article
from policywatch.ingest.parse import parse_feed
from policywatch.models import Article
from policywatch.web import BackgroundServer

#: file name → (feed name, content type)
DEMO_FEEDS = {
    "wire.rss.xml": ("demo-wire", "application/rss+xml; charset=utf-8"),
    "desks.atom.xml": ("demo-desks", "application/atom+xml; charset=utf-8"),
}


def demo_feed_documents() -> dict[str, bytes]:
    folder = resources.files("policywatch") / "demo" / "feeds"
    return {name: (folder / name).read_bytes() for name in DEMO_FEEDS}


def demo_feed_articles() -> list[Article]:
    """The articles ingest makes of the demo feeds (what ``policywatch run`` expects)."""
    now = datetime.now(UTC)
    out: list[Article] = []
    for name, data in demo_feed_documents().items():
        parsed = parse_feed(data, url=f"http://127.0.0.1/{name}")
        for item in parsed.items:
            language = item_language(
                item, hint=None, feed_language=parsed.language, text="", detector=None
            )
            article = to_article(
                item, source=parsed.title or DEMO_FEEDS[name][0], first_seen=now, language=language
            )
            if article is not None:
                out.append(article)
    return out


class DemoFeedServer:
    """Serves the demo feeds at ``http://127.0.0.1:PORT/<file name>``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._documents = demo_feed_documents()
        self._modified = format_datetime(datetime(2026, 11, 20, 15, 0, tzinfo=UTC), usegmt=True)
        self._server = BackgroundServer(host, port, self._handler(), name="demo-feeds")

    @property
    def base_url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}/"

    def feeds(self, poll_interval: str = "30s") -> list[dict[str, Any]]:
        """``ingest.feeds`` entries for the served documents."""
        return [
            {"name": feed, "url": self.base_url + name, "poll_interval": poll_interval}
            for name, (feed, _) in DEMO_FEEDS.items()
        ]

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        documents, modified = self._documents, self._modified

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.split("?", 1)[0].lstrip("/")
                if name not in documents:
                    self.send_error(404)
                    return
                body = documents[name]
                etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", DEMO_FEEDS[name][1])
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # ingest logs every poll itself

        return Handler
