"""Feed documents → items → articles, without a network: parsing, ids, text, language."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from policywatch.errors import ConfigError, FetchError
from policywatch.ingest.articles import (
    html_to_text,
    item_id,
    item_language,
    normalise_link,
    to_article,
)
from policywatch.ingest.parse import FeedItem, parse_feed
from policywatch.settings import load_settings

from .support import Item, atom, rss

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _item(**fields: object) -> FeedItem:
    base: dict[str, object] = {
        "guid": None,
        "link": None,
        "title": None,
        "content_html": "",
        "summary_html": "",
        "published_at": None,
        "language": None,
    }
    base.update(fields)
    return FeedItem(**base)  # type: ignore[arg-type]


def _bomb(levels: int = 9) -> bytes:
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, levels + 1)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel>'
        f"<title>t</title><item><title>&a{levels};</title><guid>b</guid></item></channel></rss>"
    ).encode()


def test_the_bomb_is_refused_before_any_parser_sees_it() -> None:
    with pytest.raises(FetchError) as caught:
        parse_feed(_bomb(), url="http://feed.test/")
    assert caught.value.kind == "entity_declarations"


def test_feedparser_itself_does_not_expand_a_bomb() -> None:
    """What stands behind the entity check: expat's amplification limit stops the SAX parse,
    and feedparser's lenient fallback leaves the reference unexpanded."""
    result = feedparser.parse(io.BytesIO(_bomb()))
    assert result.bozo
    assert "amplification" in str(result.bozo_exception)
    assert all(len(e.get("title", "")) < 100 for e in result.entries)


def test_external_entities_are_not_read() -> None:
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        b'<rss version="2.0"><channel><title>t</title><item><title>a&x;b</title>'
        b"<guid>1</guid></item></channel></rss>"
    )
    result = feedparser.parse(io.BytesIO(doc))
    assert [e.title for e in result.entries] == ["ab"]


def test_a_body_that_names_a_local_file_is_not_read_as_one(tmp_path: Path) -> None:
    local = tmp_path / "feed.xml"
    local.write_bytes(rss([Item("local secret", "text", guid="local")]))
    body = str(local).encode()
    # feedparser given the bytes themselves opens them as a file name:
    assert [e.title for e in feedparser.parse(body).entries] == ["local secret"]
    with pytest.raises(FetchError):
        parse_feed(body, url="http://feed.test/")


def test_a_feed_with_a_stray_ampersand_is_read_leniently() -> None:
    doc = (
        b'<rss version="2.0"><channel><title>Wire</title><item><title>Q & A</title>'
        b"<guid>qa</guid><description>text</description></item></channel></rss>"
    )
    (item,) = parse_feed(doc, url="http://feed.test/").items
    assert item.title == "Q & A"


def test_rss_and_atom_give_the_same_items() -> None:
    items = [
        Item(
            "Title",
            "<p>One &amp; two</p>",
            guid="g1",
            link="/a?x=1",
            published="2026-11-20T08:00:00+00:00",
        )
    ]
    for doc in (rss(items), atom(items)):
        parsed = parse_feed(doc, url="http://feed.test/dir/feed.xml")
        (item,) = parsed.items
        assert parsed.language == "en"
        assert item.guid == "g1"
        assert item.link == "http://feed.test/a?x=1"
        assert item.published_at == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
        assert html_to_text(item.content_html or item.summary_html) == "One & two"


def test_ids_come_from_the_guid_then_the_normalised_link_then_a_hash() -> None:
    assert item_id(_item(guid="urn:x:1", link="http://a.test/1")) == "urn:x:1"
    assert (
        item_id(_item(link="HTTP://News.Test:80/a/b?utm_source=rss&id=7#top"))
        == "http://news.test/a/b?id=7"
    )
    hashed = item_id(_item(title="T", summary_html="<p>body</p>"))
    assert hashed.startswith("sha256:")
    assert hashed == item_id(_item(title="T", summary_html="body"))
    assert hashed != item_id(_item(title="T", summary_html="other body"))
    long_guid = "x" * 600
    assert len(item_id(_item(guid=long_guid))) <= 512


def test_normalised_links_keep_what_names_the_page() -> None:
    assert normalise_link("https://a.test:443") == "https://a.test/"
    assert normalise_link("https://a.test:8443/p?b=2&a=1") == "https://a.test:8443/p?b=2&a=1"


def test_html_becomes_plain_text_with_entities_decoded() -> None:
    markup = (
        "<div><h2>Head&nbsp;line</h2><p>First &amp; <b>bold</b> &#8220;quoted&#8221;.</p>"
        "<script>var x = 1;</script><style>p {}</style><p>Second</p></div>"
    )
    assert html_to_text(markup) == "Head line\nFirst & bold “quoted”.\nSecond"
    assert html_to_text("  plain   text ") == "plain text"


class _Detector:
    def __init__(self, answer: tuple[str, float]) -> None:
        self.answer = answer

    def detect(self, text: str) -> tuple[str, float]:
        return self.answer


def test_language_is_the_hint_then_the_feed_then_a_confident_detection() -> None:
    item = _item(language="de")
    sure = _Detector(("fr", 0.99))
    assert item_language(item, hint="en", feed_language="es", text="x", detector=sure) == "en"
    assert item_language(item, hint=None, feed_language="es", text="x", detector=sure) == "de"
    plain = _item()
    assert item_language(plain, hint=None, feed_language="es", text="x", detector=sure) == "es"
    assert item_language(plain, hint=None, feed_language=None, text="x", detector=sure) == "fr"
    unsure = _Detector(("fr", 0.3))
    assert item_language(plain, hint=None, feed_language=None, text="x", detector=unsure) is None


def test_an_item_with_neither_title_nor_text_has_no_article() -> None:
    assert to_article(_item(guid="g"), source="s", first_seen=NOW, language=None) is None
    titled = to_article(
        _item(guid="g", title="Only a title"), source="s", first_seen=NOW, language=None
    )
    assert titled is not None and titled.body == "" and titled.published_at == NOW


def test_feed_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="unique"):
        load_settings(
            ingest={"feeds": [{"name": "a", "url": "http://x/"}, {"name": "a", "url": "http://y/"}]}
        )
    with pytest.raises(ConfigError, match="http"):
        load_settings(ingest={"feeds": [{"name": "a", "url": "file:///etc/passwd"}]})
    with pytest.raises(ConfigError, match="name"):
        load_settings(ingest={"feeds": [{"name": "bad name", "url": "http://x/"}]})
    settings = load_settings(
        ingest={
            "poll_interval": "2m",
            "feeds": [
                {"name": "a", "url": "http://x/"},
                {"name": "b", "url": "http://y/", "poll_interval": "30s"},
            ],
        }
    )
    a, b = settings.ingest.feeds
    assert settings.ingest.interval(a) == 120.0 and settings.ingest.interval(b) == 30.0
