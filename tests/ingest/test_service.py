"""The ingest service against a loopback feed server and the embedded broker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policywatch.engine import Engine
from policywatch.ingest import IngestService, MemorySeenStore, Seen

from .conftest import ServiceFactory, SettingsFactory
from .support import FeedServer, Item, Page, articles_in, atom, rss

pytestmark = pytest.mark.kafka

LIFTED = Item(
    "US lets Ukraine strike deeper",
    "<p>Washington has decided to allow Ukraine to use American-supplied ATACMS missiles "
    "against targets inside Russia, officials said on Sunday.</p>",
    guid="t-lifted",
    link="https://example.org/lifted",
    published="2026-11-20T08:00:00+00:00",
)
WEATHER = Item(
    "Rain expected &amp; wind",
    "<p>Forecasters expect rain &amp; strong wind across the north on Tuesday.</p>",
    guid="t-weather",
    link="https://example.org/weather",
    published="2026-11-20T09:00:00+00:00",
)
CHIPS = Item(
    "Commerce tightens chip rules",
    "The US Commerce Department announced new export controls on advanced semiconductors.",
    guid="t-chips",
    link="https://example.org/chips",
    published="2026-11-20T10:00:00+00:00",
)


def sample(service: IngestService, name: str, **labels: str) -> float:
    value = service.metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else float(value)


def test_new_items_are_published_once_and_later_items_when_they_appear(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    feed_server.pages["/rss"] = Page(rss([LIFTED, WEATHER]))
    settings = make_settings([{"name": "wire", "url": feed_server.url("/rss")}])
    service = make_service(settings)

    assert service.poll_feed("wire") == "ok"
    assert service.poll_feed("wire") == "ok"  # no validators served: a full fetch, nothing new
    first = articles_in(settings.kafka, settings.topics.articles)
    assert sorted(a.id for a in first) == ["t-lifted", "t-weather"]

    feed_server.pages["/rss"] = Page(rss([CHIPS, LIFTED, WEATHER]))
    assert service.poll_feed("wire") == "ok"
    after = articles_in(settings.kafka, settings.topics.articles)
    assert sorted(a.id for a in after) == ["t-chips", "t-lifted", "t-weather"]
    assert sample(service, "policywatch_ingest_items_published_total", feed="wire") == 3
    assert sample(service, "policywatch_ingest_polls_total", feed="wire", outcome="ok") == 3


def test_a_restarted_service_does_not_republish_what_it_published(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    feed_server.pages["/rss"] = Page(rss([LIFTED, WEATHER]))
    settings = make_settings([{"name": "wire", "url": feed_server.url("/rss")}])
    first = make_service(settings)
    assert first.poll_feed("wire") == "ok"
    first.close()

    feed_server.pages["/rss"] = Page(rss([CHIPS, LIFTED, WEATHER]))
    second = make_service(settings)  # replays the seen-state topic
    assert second.readiness()[0]
    assert second.poll_feed("wire") == "ok"
    published = articles_in(settings.kafka, settings.topics.articles)
    assert sorted(a.id for a in published) == ["t-chips", "t-lifted", "t-weather"]
    assert sample(second, "policywatch_ingest_items_published_total", feed="wire") == 1


def test_conditional_requests_get_304_and_publish_nothing(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    feed_server.pages["/rss"] = Page(
        rss([LIFTED]), etag='"v1"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT"
    )
    settings = make_settings([{"name": "wire", "url": feed_server.url("/rss")}])
    service = make_service(settings)
    assert service.poll_feed("wire") == "ok"
    assert service.poll_feed("wire") == "not_modified"

    first, second = feed_server.requests_to("/rss")
    assert "If-None-Match" not in first.headers
    assert second.headers["If-None-Match"] == '"v1"'
    assert second.headers["If-Modified-Since"] == "Fri, 20 Nov 2026 08:00:00 GMT"
    assert second.headers["User-Agent"] == settings.ingest.user_agent
    assert len(articles_in(settings.kafka, settings.topics.articles)) == 1
    assert sample(service, "policywatch_ingest_polls_total", feed="wire", outcome="not_modified")
    assert sample(service, "policywatch_ingest_last_success_timestamp_seconds", feed="wire") > 0


@pytest.mark.parametrize(
    ("page", "outcome"),
    [
        (Page(b"<rss><channel><item><title>oops</ti", content_type="text/xml"), "invalid_feed"),
        (Page(b"<html><body><p>Welcome</p></body></html>", content_type="text/html"), "not_a_feed"),
        (Page(b"down for maintenance", status=500, content_type="text/plain"), "http_status"),
        (Page(b"", status=404), "http_status"),
    ],
    ids=["broken-xml", "html", "http-500", "http-404"],
)
def test_a_broken_feed_is_counted_and_backed_off_while_the_good_one_goes_on(
    feed_server: FeedServer,
    make_settings: SettingsFactory,
    make_service: ServiceFactory,
    page: Page,
    outcome: str,
) -> None:
    feed_server.pages["/good"] = Page(rss([LIFTED]))
    feed_server.pages["/bad"] = page
    settings = make_settings(
        [
            {"name": "good", "url": feed_server.url("/good")},
            {"name": "bad", "url": feed_server.url("/bad"), "poll_interval": "10s"},
        ]
    )
    service = make_service(settings)
    assert service.poll_all() == {"good": "ok", "bad": outcome}
    assert service.poll_feed("bad") == outcome
    assert [a.id for a in articles_in(settings.kafka, settings.topics.articles)] == ["t-lifted"]
    assert sample(service, "policywatch_ingest_polls_total", feed="bad", outcome=outcome) == 2
    state = service._feeds["bad"]
    assert state.failures == 2
    # The second failure in a row waits twice the interval.
    assert service.next_poll_delay("bad") == 20.0


def test_a_slow_feed_times_out_and_the_others_are_polled(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    feed_server.pages["/slow"] = Page(rss([WEATHER]), delay=3.0)
    feed_server.pages["/fast"] = Page(rss([LIFTED]))
    settings = make_settings(
        [
            {"name": "slow", "url": feed_server.url("/slow")},
            {"name": "fast", "url": feed_server.url("/fast", host="localhost")},
        ],
        timeout=0.5,
    )
    service = make_service(settings)
    assert service.poll_all() == {"slow": "timeout", "fast": "ok"}
    assert [a.id for a in articles_in(settings.kafka, settings.topics.articles)] == ["t-lifted"]


def test_rate_limited_feed_waits_as_long_as_retry_after_says(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    feed_server.pages["/busy"] = Page(b"slow down", status=429, headers={"Retry-After": "600"})
    settings = make_settings([{"name": "busy", "url": feed_server.url("/busy")}])
    service = make_service(settings)
    assert service.poll_feed("busy") == "rate_limited"
    assert service.next_poll_delay("busy") == 600.0


def test_an_xml_bomb_is_refused_without_expanding_it(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel>'
        "<title>t</title><item><title>&a9;</title><guid>b</guid>"
        "<description>&a9;</description></item></channel></rss>"
    ).encode()
    feed_server.pages["/bomb"] = Page(bomb)
    feed_server.pages["/good"] = Page(rss([LIFTED]))
    settings = make_settings(
        [
            {"name": "bomb", "url": feed_server.url("/bomb")},
            {"name": "good", "url": feed_server.url("/good")},
        ]
    )
    service = make_service(settings)
    assert service.poll_all() == {"bomb": "entity_declarations", "good": "ok"}
    assert [a.id for a in articles_in(settings.kafka, settings.topics.articles)] == ["t-lifted"]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_huge_response_is_cut_off(
    feed_server: FeedServer,
    make_settings: SettingsFactory,
    make_service: ServiceFactory,
    chunked: bool,
) -> None:
    head = rss([LIFTED])
    if chunked:
        page = Page(head, endless=3_000_000)
    else:
        page = Page(head + b"<!--" + b"x" * 3_000_000 + b"-->")
    feed_server.pages["/huge"] = page
    settings = make_settings(
        [{"name": "huge", "url": feed_server.url("/huge")}], max_response_bytes=1_000_000
    )
    service = make_service(settings)
    assert service.poll_feed("huge") == "too_large"
    assert articles_in(settings.kafka, settings.topics.articles) == []


def test_rss_and_atom_items_become_articles_with_plain_text(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    feed_server.pages["/rss"] = Page(rss([WEATHER], title="Test Wire"))
    feed_server.pages["/atom"] = Page(
        atom([CHIPS], title="Test Desk", language="en-GB"),
        content_type="application/atom+xml",
    )
    settings = make_settings(
        [
            {"name": "wire", "url": feed_server.url("/rss")},
            {"name": "desk", "url": feed_server.url("/atom"), "language": "en-US"},
        ]
    )
    service = make_service(settings)
    assert service.poll_all() == {"wire": "ok", "desk": "ok"}
    by_id = {a.id: a for a in articles_in(settings.kafka, settings.topics.articles)}
    weather = by_id["t-weather"]
    assert weather.title == "Rain expected & wind"
    assert weather.body == "Forecasters expect rain & strong wind across the north on Tuesday."
    assert weather.source == "Test Wire"
    assert weather.language == "en"
    assert weather.url == "https://example.org/weather"
    assert weather.published_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    chips = by_id["t-chips"]
    assert chips.source == "Test Desk"
    assert chips.language == "en-US"  # the configured hint beats the feed's xml:lang
    assert chips.body.startswith("The US Commerce Department announced")


def test_items_without_link_or_title_keep_their_text_and_empty_ones_are_skipped(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    untitled = Item(None, "Britain suspends some arms export licences to Israel.")
    empty = Item(None, None, guid="t-empty")
    dateless = Item("No date here", "A short note without any date.", guid="t-dateless")
    feed_server.pages["/rss"] = Page(rss([untitled, empty, dateless], language=None))
    settings = make_settings([{"name": "wire", "url": feed_server.url("/rss")}])
    service = make_service(settings)
    before = datetime.now(UTC)
    assert service.poll_feed("wire") == "ok"
    assert service.poll_feed("wire") == "ok"
    articles = articles_in(settings.kafka, settings.topics.articles)
    by_id = {a.id: a for a in articles}
    assert len(articles) == 2
    (hashed,) = [a for a in articles if a.id.startswith("sha256:")]
    assert hashed.title is None and hashed.url is None
    assert hashed.body == "Britain suspends some arms export licences to Israel."
    assert hashed.language == "en"  # neither hint nor feed language: detected
    assert by_id["t-dateless"].published_at is not None
    assert by_id["t-dateless"].published_at >= before.replace(microsecond=0)
    # Counted once, not at every poll that still sees it.
    assert (
        sample(service, "policywatch_ingest_items_skipped_total", feed="wire", reason="no_text")
        == 1
    )


def test_the_detector_engine_alerts_on_a_positive_item_and_not_on_the_others(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    feed_server.pages["/rss"] = Page(rss([LIFTED, WEATHER]))
    settings = make_settings([{"name": "wire", "url": feed_server.url("/rss")}])
    make_service(settings).poll_feed("wire")
    engine = Engine.from_paths()
    alerts = [
        alert
        for article in articles_in(settings.kafka, settings.topics.articles)
        for alert in engine.detect(article, detected_at=datetime.now(UTC))
    ]
    assert [(a.article.id, a.event_type) for a in alerts] == [
        ("t-lifted", "weapons_restriction_lifted")
    ]


def test_requests_to_one_host_never_overlap(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    feeds = []
    for n in range(4):
        feed_server.pages[f"/f{n}"] = Page(rss([]), delay=0.2)
        feeds.append({"name": f"f{n}", "url": feed_server.url(f"/f{n}")})
    settings = make_settings(feeds, concurrency=4)
    service = make_service(settings, store=MemorySeenStore())
    assert set(service.poll_all().values()) == {"ok"}
    assert len(feed_server.requests) == 4
    assert feed_server.max_in_flight == 1


def test_ids_gone_from_their_feed_for_forget_after_leave_the_seen_state(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    feed_server.pages["/rss"] = Page(rss([LIFTED]))
    settings = make_settings([{"name": "wire", "url": feed_server.url("/rss")}], forget_after="1d")
    store = MemorySeenStore()
    now = datetime.now(UTC).timestamp()
    store.save(
        [
            Seen("long-gone", "wire", now - 2 * 86400),
            Seen("recently-gone", "wire", now - 3600),
            Seen("other-feed", "desk", now - 2 * 86400),
        ]
    )
    service = make_service(settings, store=store)
    assert service.poll_feed("wire") == "ok"
    assert set(store.entries) == {"recently-gone", "other-feed", "t-lifted"}
