"""RSS 0.9x/1.0/2.0 and Atom 1.0 documents → :class:`ParsedFeed`, through feedparser.

feedparser reads XML with the standard library's SAX parser, external entities off, and expat
(2.4.1 and later) refuses a document whose entity expansion amplifies it past its limit (the
"billion laughs"). On such an error feedparser falls back to a lenient parser that does not
expand the entities. A feed has no need for an internal DTD with entity declarations at all,
so a document declaring any is refused before it reaches a parser.

The bytes are handed to feedparser as a stream: given a ``bytes`` or ``str`` it first tries to
open it as a file name (or URL), which a hostile server could use to make it read local files.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXException

import feedparser
import structlog

from policywatch.errors import FetchError

log = structlog.get_logger("policywatch.ingest")

#: An internal DTD subset with an ENTITY declaration, anywhere before the root element.
_ENTITY_DECLARATION = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.IGNORECASE | re.DOTALL)
#: The prolog is looked at only up to here.
_PROLOG_BYTES = 64 * 1024
#: The end of a complete feed document: its root element closed.
_COMPLETE = re.compile(rb"</(?:[\w.-]+:)?(?:rss|RDF|feed)>\s*$")


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, as the feed gives it (HTML not yet removed)."""

    guid: str | None
    link: str | None
    title: str | None
    content_html: str
    summary_html: str
    published_at: datetime | None
    language: str | None


@dataclass(frozen=True)
class ParsedFeed:
    version: str
    title: str | None
    language: str | None
    items: tuple[FeedItem, ...]


def parse_feed(data: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one feed document; raises FetchError for anything that is not a usable feed."""
    if _ENTITY_DECLARATION.search(data[:_PROLOG_BYTES]):
        raise FetchError(
            f"{url} declares XML entities (refused: entity expansion bomb risk)",
            kind="entity_declarations",
            url=url,
        )
    # No content-location: feedparser would resolve a relative Atom <id> against the feed's
    # URL, and the item's id would change with it. Links are resolved here instead.
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    result: Any = feedparser.parse(io.BytesIO(data), response_headers=headers)
    version = str(result.get("version") or "")
    entries = list(result.get("entries") or [])
    if not version and not entries:
        problem = result.get("bozo_exception")
        if isinstance(problem, SAXException):
            raise FetchError(f"{url} is not valid XML: {problem}", kind="invalid_feed", url=url)
        raise FetchError(f"{url} is not an RSS or Atom feed", kind="not_a_feed", url=url)
    problem = result.get("bozo_exception")
    if result.get("bozo") and isinstance(problem, SAXException):
        # feedparser's lenient parser recovers well from a stray "&" or an HTML entity such as
        # &nbsp;, common in real feeds, but a cut-off document would yield cut-off items that
        # would then count as seen: those are refused.
        if not _COMPLETE.search(data[-1024:]):
            raise FetchError(
                f"{url} is not well-formed XML and is cut off: {problem}",
                kind="invalid_feed",
                url=url,
            )
        log.info("feed_not_well_formed", url=url, error=str(problem)[:200])
    feed = result.get("feed") or {}
    return ParsedFeed(
        version=version,
        title=_text(feed.get("title")),
        language=_text(feed.get("language")),
        items=tuple(_item(entry, url) for entry in entries),
    )


def _item(entry: Any, base: str) -> FeedItem:
    contents = [c for c in entry.get("content") or [] if isinstance(c.get("value"), str)]
    content = max((c["value"] for c in contents), key=len, default="")
    language = next((c.get("language") for c in contents if c.get("language")), None)
    return FeedItem(
        guid=_text(entry.get("id")),
        link=_link(base, _text(entry.get("link"))),
        title=_text(entry.get("title")),
        content_html=content,
        summary_html=str(entry.get("summary") or ""),
        published_at=_date(entry.get("published_parsed") or entry.get("updated_parsed")),
        language=_text(language),
    )


def _link(base: str, link: str | None) -> str | None:
    if link is None:
        return None
    absolute = urljoin(base, link)
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _date(parsed: Any) -> datetime | None:
    """feedparser's ``*_parsed`` is a ``time.struct_time`` in UTC."""
    if parsed is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in parsed[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None
