"""The detector's consume → detect → produce → commit loop.

At-least-once: offsets are committed only after every alert and dead letter produced for the
records below them has been acknowledged by the broker. Alerts are handed to the producer in
bursts (at the end of each polled batch, or after ``kafka.linger_ms`` while caught up), so that
one produce request carries many; commits happen every ``detector.commit_interval_ms`` (and on
shutdown), not after every polled batch: a commit is a blocking round trip that costs the loop
more than a small batch's detection (docs/performance.md). If producing fails, the consumer seeks
back to the first uncommitted offsets and that work is processed again; alert ids are
deterministic, so a downstream duplicate carries the same ``alert_id``.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog

from policywatch.detector.reload import RuleReloader
from policywatch.engine import Engine
from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, Producer, Record, SendResult, dead_letter_headers
from policywatch.models import Alert, Article, ArticleDecodeError, decode_article
from policywatch.observability.metrics import Metrics
from policywatch.settings import Settings

if TYPE_CHECKING:  # annotations only: the metrics module is the one that builds them
    from prometheus_client import Counter

SERVICE = "detector"
log = structlog.get_logger("policywatch.detector")


@dataclass(frozen=True, slots=True)
class _Outgoing:
    """A message for the producer: an alert, or the dead letter of ``record``."""

    record: Record
    topic: str
    value: bytes
    key: bytes | None
    headers: list[tuple[str, bytes]]
    alert: Alert | None


class DetectorService:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        metrics: Metrics,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._metrics = metrics
        self._clock = clock
        self._consumer: Consumer | None = None
        self._producer: Producer | None = None
        self._assigned: set[tuple[str, int]] = set()
        self._last_lag_update = 0.0
        self._connected = False
        # Recently committed articles (id + body hash), to dead-letter re-published duplicates.
        # Only committed batches enter it, so a batch re-processed after a failure is not
        # mistaken for duplicates of itself.
        self._seen: OrderedDict[int, None] = OrderedDict()
        # Work done since the last commit: its sends, the offsets to commit and to seek back
        # to, and its articles' fingerprints (they join ``_seen`` once committed).
        self._outbox: list[_Outgoing] = []
        self._sends: list[SendResult] = []
        self._next_offsets: dict[tuple[str, int], int] = {}
        self._first_offsets: dict[tuple[str, int], int] = {}
        self._pending_seen: set[int] = set()
        self._last_commit = time.monotonic()
        metrics.rules_loaded.set(engine.rule_count)
        # Hot path (issue 6, profiled): resolve label children once instead of per record;
        # ``.labels()`` costs ~1 µs a call. Per-rule children are cached as rules show up.
        self._consumed = metrics.messages_consumed.labels(SERVICE)
        self._decoded = metrics.messages_decoded.labels(SERVICE)
        self._processing = metrics.processing_seconds.labels(SERVICE)
        self._rule_evaluations: dict[tuple[str, ...], Counter] = {}
        self._rule_hits: dict[tuple[str, ...], Counter] = {}
        self._alerts_produced: dict[tuple[str, ...], Counter] = {}
        self._reloader = RuleReloader(
            settings.rules.paths,
            interval=settings.rules.reload_interval_s,
            on_result=lambda ok: metrics.rules_reloads.labels("ok" if ok else "failed").inc(),
        )

    def request_reload(self) -> None:
        """Reload the rule files at the next loop turn (SIGHUP)."""
        self._reloader.request()

    # -- readiness -------------------------------------------------------------------------

    def readiness(self) -> tuple[bool, str]:
        if not self._connected:
            return False, "not connected to Kafka"
        if not self._assigned:
            return False, "no partitions assigned"
        if self._engine.rule_count == 0:
            return False, "no rules loaded"
        return True, f"ready: {len(self._assigned)} partitions, {self._engine.rule_count} rules"

    def _on_assigned(self, parts: set[tuple[str, int]]) -> None:
        self._assigned = set(parts)
        log.info("partitions_assigned", partitions=sorted(parts))
        self._metrics.ready.labels(SERVICE).set(1 if self.readiness()[0] else 0)

    def _on_revoked(self, parts: set[tuple[str, int]]) -> None:
        # kafka-python calls this on its I/O thread while the main thread waits in poll(), so
        # it must not block on the consumer: no commit here. The revoked partitions' work since
        # the last commit is left uncommitted; their next owner (perhaps this process again)
        # resumes from the last commit and redoes at most commit_interval_ms of work, with the
        # same alert ids. Their sends stay pending, so the next commit still checks them.
        for tp in parts:
            self._next_offsets.pop(tp, None)
            self._first_offsets.pop(tp, None)
        # Re-fetched articles must not look like duplicates of themselves.
        self._pending_seen = set()
        self._assigned -= parts
        log.info("partitions_revoked", partitions=sorted(parts))

    # -- the loop ------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set; the batch in progress is finished and committed."""
        topics = self._settings.topics
        kafka = self._settings.kafka
        backoff = 0.5
        while not stop.is_set():
            try:
                if self._producer is None:
                    # The loop batches its own sends (_send_outbox): the producer sends at once.
                    self._producer = Producer(kafka, linger_ms=0)
                if self._consumer is None:
                    self._consumer = Consumer(
                        kafka,
                        [topics.articles],
                        self._settings.detector.group_id,
                        on_assigned=self._on_assigned,
                        on_revoked=self._on_revoked,
                    )
                self._connected = True
                log.info("detector_started", topic=topics.articles, rules=self._engine.rule_count)
                self._loop(stop)
                backoff = 0.5
            except KafkaAdapterError as exc:
                self._connected = False
                self._metrics.ready.labels(SERVICE).set(0)
                log.warning("kafka_unavailable", error=str(exc), retry_in=backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self.close()

    def _loop(self, stop: threading.Event) -> None:
        assert self._consumer is not None and self._producer is not None
        consumer = self._consumer
        interval = self._settings.detector.commit_interval_ms / 1000
        while not stop.is_set():
            records = consumer.poll(timeout_ms=200)
            self._connected = consumer.connected()
            self._metrics.ready.labels(SERVICE).set(1 if self.readiness()[0] else 0)
            if records:
                self.process(records)
            if time.monotonic() - self._last_commit >= interval:
                self.commit(wait=False)
            self._update_lag()
            if (engine := self._reloader.poll()) is not None:
                self._engine = engine
                self._metrics.rules_loaded.set(engine.rule_count)
        self.commit()

    def process(self, records: list[Record]) -> None:
        """Detect and produce one polled batch; :meth:`commit` makes it durable.

        Alerts and dead letters are handed to the producer in bursts, not one by one: each
        produce request costs kafka-python's I/O thread milliseconds of CPU, so one request
        per alert cost ~1 ms an alert (docs/performance.md). A burst leaves at the end of the
        batch, and, while the consumer is caught up (a batch smaller than ``max_poll_records``),
        as soon as its oldest message has waited ``kafka.linger_ms``. Behind a backlog the
        whole batch's alerts go in one burst: they waited in the backlog far longer anyway.
        The outbox is empty between calls: everything is handed over before this returns (or,
        when a send raises, the work is rewound), so :meth:`commit` has nothing left to send.
        """
        next_offsets = self._next_offsets
        first_offsets = self._first_offsets
        hold = self._settings.kafka.linger_ms / 1000
        caught_up = len(records) < self._settings.kafka.max_poll_records
        oldest = 0.0
        self._consumed.inc(len(records))  # once per batch: a counter update takes a lock
        # Every partition of the batch, before any record is handled: poll() has already moved
        # their positions past the whole batch, so a rewind mid-batch must cover partitions
        # whose records were not reached yet.
        for record in records:
            first_offsets.setdefault((record.topic, record.partition), record.offset)
        for record in records:
            next_offsets[(record.topic, record.partition)] = record.offset + 1
            out = self._handle(record)
            # self._outbox, never a local alias: _send_outbox replaces the list.
            if out:
                if not self._outbox:
                    oldest = time.monotonic()
                self._outbox.extend(out)
            if caught_up and self._outbox and time.monotonic() - oldest >= hold:
                self._send_outbox()
        self._send_outbox()

    def _send_outbox(self) -> None:
        """Hand every waiting message to the producer (acknowledged later, in :meth:`commit`)."""
        outbox, self._outbox = self._outbox, []
        if not outbox:
            return
        assert self._producer is not None
        send = self._producer.send
        try:
            for msg in outbox:
                sent = send(msg.topic, msg.value, key=msg.key, headers=msg.headers)
                if msg.alert is not None:
                    sent.on_success(functools.partial(self._on_alert_acked, msg.record, msg.alert))
                self._sends.append(sent)
        except KafkaAdapterError as exc:  # the rest of the outbox is gone: redo the work
            self._rewind("send_failed", exc)
            raise

    def commit(self, *, wait: bool = True) -> None:
        """Wait for every send since the last commit, then commit their records' offsets
        (``wait=False``, the loop's periodic commits: send the commit without waiting for the
        broker's answer; the final commit on shutdown waits).

        If a send failed, the consumer seeks back to the first uncommitted offsets, so that
        work is processed again, and the error propagates (the run loop backs off and retries).
        """
        self._last_commit = time.monotonic()
        if not self._next_offsets and not self._sends:
            return
        assert self._consumer is not None and self._producer is not None
        try:
            self._producer.flush(timeout=self._settings.kafka.request_timeout_ms / 1000)
            for result in self._sends:
                result.get(timeout=1.0)
        except KafkaAdapterError as exc:
            self._rewind("batch_produce_failed", exc)
            raise
        if self._next_offsets:
            self._consumer.commit(self._next_offsets, wait=wait)
        seen = self._seen
        for fingerprint in self._pending_seen:
            seen[fingerprint] = None
        while len(seen) > self._settings.detector.dedupe_window:
            seen.popitem(last=False)
        self._forget_pending()

    def _rewind(self, event: str, exc: KafkaAdapterError) -> None:
        """Seek back to the first uncommitted offsets and drop the work since the last commit,
        so that it is processed (and its alerts produced) again."""
        log.warning(event, error=str(exc), sends=len(self._sends))
        assert self._consumer is not None
        for (topic, partition), offset in self._first_offsets.items():
            self._consumer.seek(topic, partition, offset)
        self._forget_pending()

    def _forget_pending(self) -> None:
        self._sends = []
        self._next_offsets = {}
        self._first_offsets = {}
        self._pending_seen = set()

    def _on_alert_acked(self, record: Record, alert: Alert) -> None:
        """Latency metrics, on the producer's I/O thread when the broker acknowledges."""
        acked = time.time()
        self._metrics.time_to_alert_seconds.observe(max(0.0, acked - record.timestamp_ms / 1e3))
        published = alert.article.published_at
        if published is not None:
            age = acked - published.timestamp()
            self._metrics.article_age_at_alert_seconds.observe(max(0.0, age))

    def _handle(self, record: Record) -> list[_Outgoing]:
        """One record in, its alerts or its dead letter out (to be sent with the next burst)."""
        m = self._metrics
        topics = self._settings.topics
        started = time.perf_counter()
        # topic/partition/offset are bound around each log call below (_record_context), not
        # for every record: binding and unbinding contextvars per record cost ~1.5 µs, and
        # nothing else on this path logs. The log lines carry the same keys as before.
        try:
            if record.value is None or not record.value:
                return [self._dead_letter(record, "empty", "record has no value")]
            try:
                article = decode_article(
                    record.value, max_bytes=self._settings.detector.max_article_bytes
                )
            except ArticleDecodeError as exc:
                return [self._dead_letter(record, exc.reason, exc.detail)]
            self._decoded.inc()
            fingerprint = _fingerprint(article)
            if fingerprint in self._seen or fingerprint in self._pending_seen:
                return [self._dead_letter(record, "duplicate", f"article {article.id} seen before")]
            self._pending_seen.add(fingerprint)
            try:
                result = self._engine.scan(article, detected_at=self._clock())
            except Exception as exc:  # a rule-engine bug must not stop the stream
                with _record_context(record):
                    log.exception("detection_failed", article_id=article.id)
                return [self._dead_letter(record, "detection_error", repr(exc))]
            for rule_id in result.rules_evaluated:
                _child(self._rule_evaluations, m.rule_evaluations, rule_id).inc()
            for rule_id in result.rules_hit:
                _child(self._rule_hits, m.rule_hits, rule_id).inc()
            out: list[_Outgoing] = []
            for alert in result.alerts:
                out.append(
                    _Outgoing(
                        record,
                        topics.alerts,
                        alert.model_dump_json().encode(),
                        alert.story_key.encode(),
                        [("pw-article-id", article.id.encode())],
                        alert,
                    )
                )
                _child(
                    self._alerts_produced,
                    m.alerts_produced,
                    alert.event_type,
                    alert.rule.id,
                    alert.severity,
                ).inc()
                with _record_context(record):
                    log.info(
                        "alert_produced",
                        article_id=article.id,
                        alert_id=alert.alert_id,
                        event_type=alert.event_type,
                        actor=alert.actor.code,
                    )
            return out
        finally:
            self._processing.observe(time.perf_counter() - started)

    def _dead_letter(self, record: Record, reason: str, detail: str) -> _Outgoing:
        with _record_context(record):
            log.warning("article_dead_lettered", reason=reason, error=detail[:500])
        self._metrics.messages_dead_lettered.labels(SERVICE, reason).inc()
        return _Outgoing(
            record,
            self._settings.topics.articles_dlq,
            record.value or b"",
            record.key,
            [
                *record.headers,
                *dead_letter_headers(record, reason=reason, error=detail, service=SERVICE),
            ],
            None,
        )

    def _update_lag(self) -> None:
        now = time.monotonic()
        if self._consumer is None or now - self._last_lag_update < 5.0:
            return
        self._last_lag_update = now
        for (topic, partition), lag in self._consumer.lag(ask_broker=False).items():
            self._metrics.consumer_lag.labels(SERVICE, topic, str(partition)).set(lag)

    def close(self) -> None:
        try:
            if self._consumer is not None and self._producer is not None:
                self.commit()
        except Exception as exc:  # closing the clients below must still happen
            log.warning("final_commit_failed", error=str(exc))
        if self._producer is not None:
            try:
                self._producer.flush(timeout=10)
            except KafkaAdapterError as exc:
                log.warning("final_flush_failed", error=str(exc))
            self._producer.close()
            self._producer = None
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
        self._connected = False
        self._metrics.ready.labels(SERVICE).set(0)
        log.info("detector_stopped")


def _record_context(record: Record) -> AbstractContextManager[None]:
    """topic, partition and offset bound to every log line emitted inside the block."""
    return structlog.contextvars.bound_contextvars(
        topic=record.topic, partition=record.partition, offset=record.offset
    )


def _child(cache: dict[tuple[str, ...], Counter], metric: Counter, *labels: str) -> Counter:
    """``metric.labels(*labels)``, resolved once per label set."""
    child = cache.get(labels)
    if child is None:
        child = cache[labels] = metric.labels(*labels)
    return child


def _fingerprint(article: Article) -> int:
    """What makes two articles the same one: id, title and body.

    Python's own string hash (SipHash, keyed per process) is enough: the duplicate window lives
    in this process only, and 64 bits make a false duplicate among the 100,000 remembered
    articles a ~1e-14 chance per article (and such an article would be dead-lettered, not lost).
    It costs ~1 µs for 3 KB and never releases the GIL, where blake2b cost ~3 µs alone and up to
    16 µs in the running detector (issue 6 profile).
    """
    return hash((article.id, article.title, article.body))
