"""fetch_article: the linked page's main text, and the guard that keeps it off private hosts."""

from __future__ import annotations

import threading
import time

import pytest

from policywatch.errors import FetchError
from policywatch.ingest import AddressGuard, PoliteClient
from policywatch.ingest.guard import is_public

from .conftest import ServiceFactory, SettingsFactory
from .support import FeedServer, Item, Page, articles_in, rss

PAGE = (
    b"<html><head><title>Examplestan lifts sanctions</title></head><body>"
    b"<nav><a href='/'>Home</a> | <a href='/world'>World</a> | <a href='/sport'>Sport</a></nav>"
    b"<article><h1>Examplestan lifts sanctions on its neighbour</h1>"
    b"<p>The government of Examplestan said on Monday that it has lifted the sanctions it "
    b"imposed on its neighbour's central bank last year, citing progress in the talks.</p>"
    b"<p>Officials said the decision takes effect at once and also covers shipping firms "
    b"and two state-owned insurers named in the original order.</p></article>"
    b"<footer>Copyright Example Media. All rights reserved.</footer></body></html>"
)


def _feed(server: FeedServer) -> None:
    server.pages["/page"] = Page(PAGE, content_type="text/html; charset=utf-8")
    item = Item(
        "Examplestan lifts sanctions",
        "Short teaser from the feed.",
        guid="t-page",
        link=server.url("/page"),
    )
    server.pages["/rss"] = Page(rss([item]))


@pytest.mark.kafka
def test_the_guard_keeps_fetch_article_off_loopback_and_the_summary_is_used(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    _feed(feed_server)
    settings = make_settings(
        [{"name": "wire", "url": feed_server.url("/rss"), "fetch_article": True}]
    )
    service = make_service(settings)
    assert service.poll_feed("wire") == "ok"
    (article,) = articles_in(settings.kafka, settings.topics.articles)
    assert article.body == "Short teaser from the feed."
    assert feed_server.requests_to("/page") == []
    blocked = service.metrics.registry.get_sample_value(
        "policywatch_ingest_article_fetches_total", {"feed": "wire", "outcome": "blocked_address"}
    )
    assert blocked == 1


@pytest.mark.kafka
def test_with_private_addresses_allowed_the_main_text_of_the_page_is_the_body(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    _feed(feed_server)
    settings = make_settings(
        [{"name": "wire", "url": feed_server.url("/rss"), "fetch_article": True}],
        allow_private_addresses=True,
    )
    service = make_service(settings)
    assert service.poll_feed("wire") == "ok"
    (article,) = articles_in(settings.kafka, settings.topics.articles)
    assert "lifted the sanctions it imposed on its neighbour's central bank" in article.body
    assert "two state-owned insurers" in article.body
    assert "Copyright" not in article.body and "Sport" not in article.body
    assert article.title == "Examplestan lifts sanctions"


def test_every_redirect_hop_is_checked(feed_server: FeedServer) -> None:
    """A public-looking first hop that redirects to a private host is stopped at the redirect."""
    feed_server.pages["/go"] = Page(
        b"", status=302, headers={"Location": feed_server.url("/page", host="localhost")}
    )
    feed_server.pages["/page"] = Page(PAGE, content_type="text/html")
    # 127.0.0.1 stands in for a public server here; localhost keeps its real address.
    addresses = {"127.0.0.1": ["93.184.215.14"], "localhost": ["127.0.0.1", "::1"]}
    guard = AddressGuard(resolver=lambda host: addresses[host])
    client = PoliteClient(user_agent="test", timeout=5, max_bytes=1_000_000)
    try:
        with pytest.raises(FetchError) as caught:
            client.get(feed_server.url("/go"), guard=guard)
    finally:
        client.close()
    assert caught.value.kind == "blocked_address"
    assert [r.path for r in feed_server.requests] == ["/go"]


def test_redirects_are_followed_up_to_the_limit(feed_server: FeedServer) -> None:
    for n in range(5):
        feed_server.pages[f"/r{n}"] = Page(b"", status=301, headers={"Location": f"/r{n + 1}"})
    feed_server.pages["/r5"] = Page(b"done", content_type="text/plain")
    client = PoliteClient(user_agent="test", timeout=5, max_bytes=1_000, max_redirects=5)
    try:
        assert client.get(feed_server.url("/r0")).body == b"done"
        short = PoliteClient(user_agent="test", timeout=5, max_bytes=1_000, max_redirects=2)
        with pytest.raises(FetchError) as caught:
            short.get(feed_server.url("/r0"))
        short.close()
    finally:
        client.close()
    assert caught.value.kind == "too_many_redirects"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_public_addresses_pass(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    guard = AddressGuard(resolver=lambda _host: ["93.184.215.14", "10.0.0.7"])
    with pytest.raises(FetchError) as caught:
        guard.check("mixed.example", url="http://mixed.example/")
    assert caught.value.kind == "blocked_address"
    assert "10.0.0.7" in str(caught.value)


@pytest.mark.kafka
def test_shutdown_during_page_fetches_records_nothing_and_the_next_start_redoes_the_poll(
    feed_server: FeedServer, make_settings: SettingsFactory, make_service: ServiceFactory
) -> None:
    items = []
    for n in range(3):
        feed_server.pages[f"/p{n}"] = Page(PAGE, content_type="text/html", delay=3.0)
        items.append(Item(f"Story {n}", "Teaser.", guid=f"p{n}", link=feed_server.url(f"/p{n}")))
    feed_server.pages["/rss"] = Page(rss(items))
    settings = make_settings(
        [{"name": "wire", "url": feed_server.url("/rss"), "fetch_article": True}],
        allow_private_addresses=True,
    )
    service = make_service(settings)
    stop = threading.Event()
    thread = threading.Thread(target=service.run, args=(stop,))
    thread.start()
    while not feed_server.requests_to("/p0") and thread.is_alive():
        time.sleep(0.05)
    stop.set()  # while the first page is still being served
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert feed_server.requests_to("/p1") == []
    assert articles_in(settings.kafka, settings.topics.articles) == []
    interrupted = service.metrics.registry.get_sample_value(
        "policywatch_ingest_polls_total", {"feed": "wire", "outcome": "interrupted"}
    )
    assert interrupted == 1

    for n in range(3):
        feed_server.pages[f"/p{n}"].delay = 0
    again = make_service(settings)
    assert again.poll_feed("wire") == "ok"
    published = articles_in(settings.kafka, settings.topics.articles)
    assert sorted(a.id for a in published) == ["p0", "p1", "p2"]
    assert all("central bank" in a.body for a in published)
