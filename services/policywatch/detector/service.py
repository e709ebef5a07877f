"""The detector's loop: poll → :class:`Handler` → send in bursts → :class:`Ledger` → commit.

The loop owns no Kafka client of its own: it builds them through the
:class:`~policywatch.kafka.protocols.ClientsProtocol` it is given (the real
:class:`~policywatch.kafka.KafkaClients` from the CLI, a
:class:`~policywatch.kafka.memory.MemoryBroker` in unit tests).

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
from collections.abc import Callable
from datetime import UTC, datetime

import structlog

from policywatch.detector.handler import SERVICE, DuplicateWindow, Handler, Outgoing
from policywatch.detector.ledger import Ledger
from policywatch.detector.reload import RuleReloader
from policywatch.engine import Engine
from policywatch.errors import KafkaAdapterError
from policywatch.kafka.protocols import TP, ClientsProtocol, ConsumerProtocol, ProducerProtocol
from policywatch.kafka.records import Record
from policywatch.models import Alert
from policywatch.observability.health import LagReporter, readiness, run_with_backoff
from policywatch.observability.metrics import Metrics
from policywatch.settings import Settings

log = structlog.get_logger("policywatch.detector")


class DetectorService:
    """``run(stop)`` until ``stop`` is set, on the clients ``clients`` builds."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        metrics: Metrics,
        clients: ClientsProtocol,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._metrics = metrics
        self._clients = clients
        self._consumer: ConsumerProtocol | None = None
        self._producer: ProducerProtocol | None = None
        self._assigned: set[TP] = set()
        self._connected = False
        self._duplicates = DuplicateWindow(settings.detector.dedupe_window)
        self._handler = Handler(
            engine,
            settings.topics,
            metrics,
            max_article_bytes=settings.detector.max_article_bytes,
            duplicates=self._duplicates,
            clock=clock,
        )
        self._ledger = Ledger()
        # Messages handled but not yet handed to the producer (empty between process() calls).
        self._outbox: list[Outgoing] = []
        self._last_commit = time.monotonic()
        self._lag = LagReporter(SERVICE, metrics, ask_broker=False)
        metrics.rules_loaded.set(engine.rule_count)
        self._consumed = metrics.messages_consumed.labels(SERVICE)
        self._reloader = RuleReloader(
            settings.rules.paths,
            interval=settings.rules.reload_interval_s,
            on_result=lambda ok: metrics.rules_reloads.labels("ok" if ok else "failed").inc(),
        )

    @property
    def engine(self) -> Engine:
        return self._handler.engine

    def request_reload(self) -> None:
        """Reload the rule files at the next loop turn (SIGHUP)."""
        self._reloader.request()

    # -- readiness -------------------------------------------------------------------------

    def readiness(self) -> tuple[bool, str]:
        rules = self._handler.engine.rule_count
        return readiness(
            connected=self._connected,
            partitions=len(self._assigned),
            problem=None if rules else "no rules loaded",
            detail=f"{rules} rules",
        )

    def _set_ready(self) -> None:
        self._metrics.ready.labels(SERVICE).set(1 if self.readiness()[0] else 0)

    def _on_assigned(self, parts: set[TP]) -> None:
        self._assigned = set(parts)
        log.info("partitions_assigned", partitions=sorted(parts))
        self._set_ready()

    def _on_revoked(self, parts: set[TP]) -> None:
        # kafka-python calls this on its I/O thread while the main thread waits in poll(), so
        # it must not block on the consumer: no commit here. The revoked partitions' work since
        # the last commit is left uncommitted; their next owner (perhaps this process again)
        # resumes from the last commit and redoes at most commit_interval_ms of work, with the
        # same alert ids. Their sends stay pending, so the next commit still checks them.
        self._ledger.revoke(parts)
        # Re-fetched articles must not look like duplicates of themselves.
        self._duplicates.forget()
        self._assigned -= parts
        log.info("partitions_revoked", partitions=sorted(parts))

    # -- the loop ------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set; the batch in progress is finished and committed."""
        run_with_backoff(
            stop,
            lambda: self._connect_and_loop(stop),
            service=SERVICE,
            metrics=self._metrics,
            on_unavailable=self._disconnected,
        )
        self.close()

    def _disconnected(self) -> None:
        self._connected = False

    def _connect_and_loop(self, stop: threading.Event) -> None:
        if self._producer is None:
            # The loop batches its own sends (_send_outbox): the producer sends at once.
            self._producer = self._clients.producer(linger_ms=0)
        if self._consumer is None:
            self._consumer = self._clients.consumer(
                [self._settings.topics.articles],
                self._settings.detector.group_id,
                on_assigned=self._on_assigned,
                on_revoked=self._on_revoked,
                auto_offset_reset=self._settings.detector.auto_offset_reset,
            )
        self._connected = True
        log.info(
            "detector_started",
            topic=self._settings.topics.articles,
            rules=self._handler.engine.rule_count,
        )
        self._loop(stop, self._consumer)

    def _loop(self, stop: threading.Event, consumer: ConsumerProtocol) -> None:
        interval = self._settings.detector.commit_interval_ms / 1000
        while not stop.is_set():
            records = consumer.poll(timeout_ms=200)
            # poll() does not raise while the cluster is down: ask the client, or /readyz
            # stays 200 in an outage.
            self._connected = consumer.connected()
            self._set_ready()
            if records:
                self.process(records)
            if time.monotonic() - self._last_commit >= interval:
                self.commit(wait=False)
            self._lag.update(consumer)
            if (engine := self._reloader.poll()) is not None:
                self._handler.engine = engine
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
        ledger = self._ledger
        handle = self._handler.handle
        hold = self._settings.kafka.linger_ms / 1000
        caught_up = len(records) < self._settings.kafka.max_poll_records
        oldest = 0.0
        self._consumed.inc(len(records))  # once per batch: a counter update takes a lock
        ledger.begin(records)
        for record in records:
            ledger.handled(record)
            out = handle(record)
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
        sent = self._ledger.sent
        try:
            for msg in outbox:
                result = send(msg.topic, msg.value, key=msg.key, headers=msg.headers)
                if msg.alert is not None:
                    result.on_success(
                        functools.partial(self._on_alert_acked, msg.record, msg.alert)
                    )
                sent(result)
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
        if not self._ledger.pending:
            return
        assert self._consumer is not None and self._producer is not None
        try:
            self._producer.flush(timeout=self._settings.kafka.request_timeout_ms / 1000)
            offsets = self._ledger.settle(timeout=1.0)
        except KafkaAdapterError as exc:
            self._rewind("batch_produce_failed", exc)
            raise
        if offsets:
            self._consumer.commit(offsets, wait=wait)
        self._duplicates.commit()
        self._ledger.committed()

    def _rewind(self, event: str, exc: KafkaAdapterError) -> None:
        """Seek back to the first uncommitted offsets and drop the work since the last commit,
        so that it is processed (and its alerts produced) again."""
        log.warning(event, error=str(exc), sends=self._ledger.sends)
        assert self._consumer is not None
        for (topic, partition), offset in self._ledger.rewind().items():
            self._consumer.seek(topic, partition, offset)
        self._duplicates.forget()

    def _on_alert_acked(self, record: Record, alert: Alert) -> None:
        """Alert count and latency metrics, on the producer's I/O thread when the broker
        acknowledges: an alert counts as produced only once it is durable."""
        acked = time.time()
        self._metrics.alerts_produced.labels(alert.event_type, alert.rule.id, alert.severity).inc()
        self._metrics.time_to_alert_seconds.observe(max(0.0, acked - record.timestamp_ms / 1e3))
        published = alert.article.published_at
        if published is not None:
            age = acked - published.timestamp()
            self._metrics.article_age_at_alert_seconds.observe(max(0.0, age))

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
