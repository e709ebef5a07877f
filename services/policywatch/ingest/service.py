"""The ingest loop: poll each feed when due → new items → articles on ``topics.articles``.

Each feed is polled on its own schedule by a small pool of workers (``ingest.concurrency``;
the client allows one request per host at a time). A poll that fails, for whatever reason,
is logged with the feed's name, counted, and retried after an exponential backoff (or the
server's ``Retry-After``); the other feeds are not held up.

Nothing twice: an item whose id is in the seen-state is not published again. Nothing lost: an id
enters the seen-state only once the broker acknowledged its article, and the feed's ETag and
Last-Modified are kept only once every new item of that version is published, so a failed
publish is retried with a full fetch at the next poll.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from pydantic import ValidationError

from policywatch.engine.text.language_id import LangidDetector, LanguageDetector
from policywatch.errors import FetchError, KafkaAdapterError
from policywatch.ingest.articles import item_id, item_language, item_text, to_article
from policywatch.ingest.client import PoliteClient, Validators
from policywatch.ingest.extract import extract_main_text
from policywatch.ingest.guard import AddressGuard
from policywatch.ingest.parse import FeedItem, ParsedFeed, parse_feed
from policywatch.ingest.state import KafkaSeenStore, RecordProducer, Seen, SeenStore
from policywatch.kafka import Producer, ensure_topics
from policywatch.models import Article
from policywatch.observability.metrics import Metrics
from policywatch.settings import FeedSettings, Settings

SERVICE = "ingest"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
#: Outcomes of a poll that count as a success (the feed answered with a usable document).
SUCCESS = frozenset({"ok", "not_modified"})
log = structlog.get_logger("policywatch.ingest")


@dataclass
class _FeedState:
    feed: FeedSettings
    interval: float
    validators: Validators | None = None
    failures: int = 0
    next_due: float = 0.0
    delay: float = 0.0
    last_outcome: str = field(default="never")


class IngestService:
    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        *,
        producer: RecordProducer | None = None,
        store: SeenStore | None = None,
        client: PoliteClient | None = None,
        guard: AddressGuard | None = None,
        detector: LanguageDetector | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._config = settings.ingest
        self._metrics = metrics
        self._producer = producer
        self._store = store
        self._client = client or PoliteClient(
            user_agent=self._config.user_agent,
            timeout=self._config.timeout,
            max_bytes=self._config.max_response_bytes,
            max_redirects=self._config.max_redirects,
        )
        self._guard = guard or AddressGuard()
        self._detector = detector or LangidDetector()
        self._clock = clock
        self._feeds = {f.name: _FeedState(f, self._config.interval(f)) for f in self._config.feeds}
        self._seen: dict[str, Seen] = {}
        self._skipped: set[str] = set()
        self._claimed: set[str] = set()
        self._lock = threading.Lock()
        self._ready = False
        self._closed = False
        #: Set on shutdown: a poll under way stops fetching linked pages and gives up.
        self._stopping = threading.Event()
        self._why_not_ready = "starting: seen-state not loaded yet"
        started = clock()
        for name, st in self._feeds.items():
            metrics.feed_poll_interval.labels(name).set(st.interval)
            # A feed that never succeeds ages from the service's start, so it alerts too.
            metrics.feed_last_success.labels(name).set(started)

    # -- lifecycle ---------------------------------------------------------------------------

    def readiness(self) -> tuple[bool, str]:
        if not self._ready:
            return False, self._why_not_ready
        return True, f"ready: {len(self._feeds)} feeds, {len(self._seen)} items seen"

    def start(self) -> None:
        """Connect, create the topics if allowed, and replay the seen-state."""
        if self._producer is None:
            self._producer = Producer(self._settings.kafka)
        if self._store is None:
            topics = self._settings.topics
            try:
                ensure_topics(
                    self._settings.kafka, [topics.articles], compacted=[topics.ingest_state]
                )
            except KafkaAdapterError as exc:  # a cluster may forbid topic creation
                log.warning("ensure_topics_failed", error=str(exc))
            self._store = KafkaSeenStore(
                self._settings.kafka, topics.ingest_state, self._producer_or_fail()
            )
        self._seen = self._store.load()
        self._ready = True
        self._metrics.ready.labels(SERVICE).set(1)
        log.info("ingest_started", feeds=len(self._feeds), seen=len(self._seen))

    @property
    def metrics(self) -> Metrics:
        return self._metrics

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._ready = False
        self._metrics.ready.labels(SERVICE).set(0)
        self._client.close()
        if self._producer is not None:
            self._producer.close()

    def run(self, stop: threading.Event) -> None:
        """Poll every feed when due until ``stop`` is set."""
        if not self._start_until_stopped(stop):
            self.close()
            return
        pool = ThreadPoolExecutor(self._config.concurrency, thread_name_prefix="ingest")
        running: dict[str, Future[str]] = {}
        try:
            while not stop.is_set():
                now = time.monotonic()
                for name, st in self._feeds.items():
                    if name not in running and st.next_due <= now:
                        running[name] = pool.submit(self.poll_feed, name)
                for name in [n for n, f in running.items() if f.done()]:
                    running.pop(name).result()
                waiting = [st.next_due for n, st in self._feeds.items() if n not in running]
                nap = min(waiting, default=now + 1.0) - time.monotonic()
                stop.wait(min(1.0, max(0.05, nap)))
        finally:
            self._stopping.set()
            # Polls under way finish, or give up before their next linked-page fetch, so that
            # what they published is also marked seen.
            pool.shutdown(wait=True, cancel_futures=True)
            self.close()
            log.info("ingest_stopped")

    def _start_until_stopped(self, stop: threading.Event) -> bool:
        delay = 0.5
        while not stop.is_set():
            try:
                self.start()
                return True
            except KafkaAdapterError as exc:
                self._why_not_ready = f"not ready: {exc}"
                log.warning("ingest_start_failed", error=str(exc), retry_in=delay)
                stop.wait(delay)
                delay = min(delay * 2, 30.0)
        return False

    def poll_all(self) -> dict[str, str]:
        """Poll every feed once, concurrently; feed name → outcome."""
        if not self._feeds:
            return {}
        with ThreadPoolExecutor(self._config.concurrency, thread_name_prefix="ingest") as pool:
            futures = {name: pool.submit(self.poll_feed, name) for name in self._feeds}
            return {name: f.result() for name, f in futures.items()}

    # -- one poll ----------------------------------------------------------------------------

    def poll_feed(self, name: str) -> str:
        """Poll one feed, account for the outcome and schedule its next poll; the outcome."""
        st = self._feeds[name]
        retry_after: float | None = None
        published = 0
        try:
            outcome, published = self._poll(st)
        except FetchError as exc:
            outcome, retry_after = exc.kind, exc.retry_after
            log.warning("feed_poll_failed", feed=name, kind=exc.kind, error=str(exc)[:500])
        except KafkaAdapterError as exc:
            outcome = "kafka_error"
            log.warning("feed_publish_failed", feed=name, error=str(exc)[:500])
        except Exception as exc:  # bad input must never stop the other feeds
            outcome = "internal_error"
            log.exception("feed_poll_crashed", feed=name, error=repr(exc)[:500])
        self._metrics.feed_polls.labels(name, outcome).inc()
        st.last_outcome = outcome
        if outcome in SUCCESS:
            st.failures = 0
            self._metrics.feed_last_success.labels(name).set(self._clock())
            delay = st.interval
        else:
            st.failures += 1
            delay = min(self._config.max_backoff, st.interval * 2 ** min(st.failures - 1, 20))
            delay = max(delay, st.interval)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self._config.max_retry_after))
        st.delay = delay
        st.next_due = time.monotonic() + delay
        log.info(
            "feed_polled",
            feed=name,
            outcome=outcome,
            published=published,
            failures=st.failures,
            next_poll_in=round(delay, 1),
        )
        return outcome

    def next_poll_delay(self, name: str) -> float:
        """Seconds the last poll of ``name`` scheduled the next one after."""
        return self._feeds[name].delay

    def _poll(self, st: _FeedState) -> tuple[str, int]:
        feed = st.feed
        started = time.monotonic()
        try:
            fetched = self._client.get(feed.url, validators=st.validators, accept=FEED_ACCEPT)
        finally:
            self._metrics.feed_fetch_seconds.labels(feed.name, "feed").observe(
                time.monotonic() - started
            )
        if fetched.not_modified:
            return "not_modified", 0
        parsed = parse_feed(fetched.body, url=fetched.url, content_type=fetched.content_type)
        published = self._publish_new(feed, parsed)
        # Only now: a 304 for a version whose items did not all reach the broker would lose them.
        st.validators = fetched.validators
        return "ok", published

    def _publish_new(self, feed: FeedSettings, parsed: ParsedFeed) -> int:
        now = self._clock()
        ids = [(item_id(item), item) for item in parsed.items]
        present = {i for i, _ in ids}
        with self._lock:
            fresh: dict[str, FeedItem] = {}
            for i, item in ids:
                if i not in self._seen and i not in self._skipped and i not in self._claimed:
                    fresh.setdefault(i, item)
            self._claimed.update(fresh)
        try:
            articles = self._articles(feed, parsed, fresh, now)
            self._send(feed, articles, now)
        finally:
            with self._lock:
                self._claimed.difference_update(fresh)
        self._forget_gone(feed, present, now)
        return len(articles)

    def _articles(
        self, feed: FeedSettings, parsed: ParsedFeed, fresh: dict[str, FeedItem], now: float
    ) -> list[Article]:
        first_seen = datetime.fromtimestamp(now, UTC)
        source = parsed.title or feed.name
        out: list[Article] = []
        for i, item in fresh.items():
            if self._stopping.is_set():
                # Nothing of this poll is recorded: the next start polls the feed afresh.
                raise FetchError("shutting down", kind="interrupted", url=feed.url)
            body = self._fetch_article(feed, item) if feed.fetch_article and item.link else None
            text = body or item_text(item)
            language = item_language(
                item,
                hint=feed.language,
                feed_language=parsed.language,
                text=f"{item.title or ''}\n{text}",
                detector=self._detector,
            )
            try:
                article = to_article(
                    item, source=source, first_seen=first_seen, language=language, body=body
                )
            except ValidationError as exc:
                self._skip(feed, i, "invalid", error=str(exc)[:300])
                continue
            if article is None:
                self._skip(feed, i, "no_text")
                continue
            out.append(article)
        # Oldest first, as they were published (undated items keep the feed's order, last).
        out.sort(key=lambda a: a.published_at or first_seen)
        return out

    def _skip(self, feed: FeedSettings, item: str, reason: str, **detail: str) -> None:
        with self._lock:
            self._skipped.add(item)
        self._metrics.feed_items_skipped.labels(feed.name, reason).inc()
        log.info("feed_item_skipped", feed=feed.name, item=item, reason=reason, **detail)

    def _send(self, feed: FeedSettings, articles: list[Article], now: float) -> None:
        if not articles:
            return
        producer = self._producer_or_fail()
        topic = self._settings.topics.articles
        results = [
            (a, producer.send(topic, a.model_dump_json().encode(), key=a.id.encode()))
            for a in articles
        ]
        producer.flush(timeout=self._settings.kafka.request_timeout_ms / 1000)
        acked: list[Article] = []
        failure: KafkaAdapterError | None = None
        for article, result in results:
            try:
                result.get(timeout=1.0)
            except KafkaAdapterError as exc:
                failure = failure or exc
                continue
            acked.append(article)
        if acked:
            entries = [Seen(a.id, feed.name, now) for a in acked]
            if self._store is None:
                raise RuntimeError("IngestService.start() was not called")
            self._store.save(entries)
            with self._lock:
                self._seen.update((e.id, e) for e in entries)
            self._metrics.feed_items_published.labels(feed.name).inc(len(acked))
            for a in acked:
                log.info("article_published", feed=feed.name, article_id=a.id, title=a.title)
        if failure is not None:
            raise failure

    def _fetch_article(self, feed: FeedSettings, item: FeedItem) -> str | None:
        assert item.link is not None
        guard = None if self._config.allow_private_addresses else self._guard
        started = time.monotonic()
        try:
            page = self._client.get(item.link, guard=guard, accept=PAGE_ACCEPT)
            text = extract_main_text(page.body, url=page.url)
        except FetchError as exc:
            self._metrics.article_fetches.labels(feed.name, exc.kind).inc()
            log.warning(
                "article_fetch_failed", feed=feed.name, url=item.link, kind=exc.kind, error=str(exc)
            )
            return None
        finally:
            self._metrics.feed_fetch_seconds.labels(feed.name, "article").observe(
                time.monotonic() - started
            )
        self._metrics.article_fetches.labels(feed.name, "ok" if text else "no_text").inc()
        return text

    def _forget_gone(self, feed: FeedSettings, present: set[str], now: float) -> None:
        """Drop ids that left this feed long ago, so the seen-state does not grow forever."""
        cutoff = now - self._config.forget_after
        with self._lock:
            gone = [
                s.id
                for s in self._seen.values()
                if s.feed == feed.name and s.id not in present and s.seen_at < cutoff
            ]
        if not gone or self._store is None:
            return
        self._store.forget(gone)
        with self._lock:
            for i in gone:
                self._seen.pop(i, None)
        log.info("seen_ids_forgotten", feed=feed.name, count=len(gone))

    def _producer_or_fail(self) -> RecordProducer:
        if self._producer is None:
            raise RuntimeError("IngestService.start() was not called")
        return self._producer
