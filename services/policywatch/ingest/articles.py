"""A feed item → one :class:`~policywatch.models.Article`. Pure: no I/O.

The id must be the same every time the item is seen, whatever else changes in the feed:
its GUID (``<guid>`` / ``<id>``), else its link normalised, else a hash of its title and text.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from policywatch.engine.text.language_id import MIN_PROBABILITY, LanguageDetector
from policywatch.ingest.parse import FeedItem
from policywatch.models import Article

#: Article.id's own limit; a longer GUID or link is replaced by its hash.
MAX_ID_CHARS = 512
#: Query parameters that track a click and do not name the page.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.IGNORECASE)
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "tr",
        "table",
        "pre",
        "figcaption",
    }
)
_HIDDEN = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags removed, entities decoded, paragraphs on lines."""
    if "<" not in markup and "&" not in markup:
        return _tidy(markup)
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return _tidy("".join(collector.parts))


def _tidy(text: str) -> str:
    return _BLANK_LINES.sub("\n", _SPACES.sub(" ", text)).strip()


def normalise_link(url: str) -> str:
    """Scheme and host lower-cased, default port, fragment and tracking parameters dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = (
        host
        if port is None or (scheme, port) in (("http", 80), ("https", 443))
        else (f"{host}:{port}")
    )
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def item_id(item: FeedItem) -> str:
    """The item's stable id (see the module docstring)."""
    if item.guid:
        return item.guid if len(item.guid) <= MAX_ID_CHARS else f"guid:{_digest(item.guid)}"
    if item.link:
        link = normalise_link(item.link)
        return link if len(link) <= MAX_ID_CHARS else f"link:{_digest(link)}"
    return f"sha256:{_digest(item.title or '', item_text(item))}"


def item_text(item: FeedItem) -> str:
    """The item's own text: its content if any, else its summary, as plain text."""
    return html_to_text(item.content_html) or html_to_text(item.summary_html)


def item_language(
    item: FeedItem,
    *,
    hint: str | None,
    feed_language: str | None,
    text: str,
    detector: LanguageDetector | None,
) -> str | None:
    """The configured hint, else the item's or feed's own tag, else a confident detection."""
    for tag in (hint, item.language, feed_language):
        if tag and tag.strip():
            return tag.strip()[:35]
    if detector is None or not text.strip():
        return None
    code, probability = detector.detect(text[:1500])
    return code if probability >= MIN_PROBABILITY else None


def to_article(
    item: FeedItem,
    *,
    source: str,
    first_seen: datetime,
    language: str | None,
    body: str | None = None,
) -> Article | None:
    """The article of ``item``, or None when it has no text at all (neither title nor body).

    ``body`` replaces the item's own text (the linked page's main text, when fetched).
    """
    text = body if body and body.strip() else item_text(item)
    title = html_to_text(item.title) if item.title else None
    if not text and not title:
        return None
    return Article(
        id=item_id(item),
        url=item.link,
        source=source[:512],
        published_at=item.published_at or first_seen,
        language=language,
        title=title or None,
        body=text,
    )
