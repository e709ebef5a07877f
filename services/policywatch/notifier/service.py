"""The notifier service: a consumer group on ``alerts`` → routing → grouping → receivers.

One loop thread polls, replays story state for newly assigned partitions, feeds the
:class:`~policywatch.notifier.pipeline.Pipeline`, pauses the partitions it reports blocked and
commits the offsets it reports done. Per receiver, one worker thread delivers fresh
notifications and one retries those parked on the retry topic, fed by a
:class:`~policywatch.notifier.retries.RetryDrainer` on its own thread (see ``worker`` and
``retries``).
An alert that is not a valid ``Alert`` is dead-lettered to ``alerts.dlq`` (reason
``invalid_alert``) and its offset moves on.

At-least-once: a crash or rebalance re-reads uncommitted alerts; stories already notified are
known from the changelog, so they are not notified again, and a notification that is sent again
carries the same ``webhook-id``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import structlog
from pydantic import ValidationError

from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, Producer, Record, dead_letter_headers, ensure_topics
from policywatch.models import Alert
from policywatch.notifier.changelog import KafkaStateStore
from policywatch.notifier.dead_letters import KafkaDeadLetterSink
from policywatch.notifier.inhibition import Inhibitor
from policywatch.notifier.pipeline import Pipeline, StateStore
from policywatch.notifier.receivers import Receiver, build_receiver, make_http_client
from policywatch.notifier.retries import KafkaRetryParker, RetryDrainer, retry_partitions
from policywatch.notifier.routing import Router
from policywatch.notifier.silences import SilenceBook, SilenceFeed
from policywatch.notifier.story_messages import StoryMessages
from policywatch.notifier.worker import ReceiverHealth, ReceiverWorker
from policywatch.observability.health import LagReporter, readiness, run_with_backoff
from policywatch.observability.metrics import Metrics
from policywatch.settings import NotifierSettings, ReceiverConfig, Settings

if TYPE_CHECKING:
    import httpx

SERVICE = "notifier"
TP = tuple[str, int]
log = structlog.get_logger("policywatch.notifier")


class NotifierService:
    """``run(stop)`` until ``stop`` is set; ``receivers`` replaces the configured ones (tests)."""

    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        *,
        http_client: httpx.Client | None = None,
        receivers: Sequence[Receiver] | None = None,
        clock: Callable[[], float] = time.time,
        reload_settings: Callable[[], Settings] | None = None,
    ) -> None:
        self._settings = settings
        self._reload_settings = reload_settings
        self._reload_requested = threading.Event()
        self._retiring: list[ReceiverWorker] = []
        self._dlq: KafkaDeadLetterSink | None = None
        self._parker: KafkaRetryParker | None = None
        self._config = settings.notifier
        self._metrics = metrics
        self._http = http_client
        self._own_http = http_client is None
        self._receivers_override = receivers
        self._clock = clock
        self._router = Router(self._config.effective_route())
        self.silences = SilenceBook()
        self.messages = StoryMessages()
        self._silence_feed: SilenceFeed | None = None
        self._consumer: Consumer | None = None
        self._producer: Producer | None = None
        self._workers: dict[str, ReceiverWorker] = {}
        self._retry_workers: dict[str, ReceiverWorker] = {}
        self._drainer: RetryDrainer | None = None
        self._pipeline: Pipeline | None = None
        self._store: StateStore | None = None
        self._assigned: set[int] = set()
        self._to_replay: set[int] = set()
        self._paused: set[int] = set()
        self._committed: dict[int, int] = {}
        self._last_commit = 0.0
        self._lag = LagReporter(SERVICE, metrics)
        self._connected = False

    # -- readiness -------------------------------------------------------------------------

    def readiness(self) -> tuple[bool, str]:
        replaying = len(self._to_replay)
        return readiness(
            connected=self._connected,
            partitions=len(self._assigned),
            problem=f"replaying story state for {replaying} partitions" if replaying else None,
            detail=f"{len(self._workers)} receivers",
        )

    def committed_offsets(self) -> dict[int, int]:
        """The last offsets this instance committed, per ``alerts`` partition."""
        return dict(self._committed)

    def _set_ready(self) -> None:
        self._metrics.ready.labels(SERVICE).set(1 if self.readiness()[0] else 0)

    # -- setup -----------------------------------------------------------------------------

    def _setup(self) -> None:
        if self._producer is None:
            self._producer = Producer(self._settings.kafka)
        producer = self._producer
        if self._pipeline is not None:
            return
        topics = self._settings.topics
        kafka_topics = [r.kafka.topic for r in self._config.receivers if r.kafka is not None]
        receiver_names = [r.name for r in self._config.effective_receivers()]
        if self._receivers_override is not None:
            receiver_names = [r.name for r in self._receivers_override]
        try:
            ensure_topics(
                self._settings.kafka,
                [topics.alerts, topics.alerts_dlq, *kafka_topics],
                compacted=[topics.notifier_state, topics.silences],
            )
            # A partition per receiver: one receiver's retries never wait behind another's.
            ensure_topics(
                self._settings.kafka,
                [topics.alerts_retry],
                partitions=max(
                    self._settings.kafka.topic_partitions, retry_partitions(receiver_names)
                ),
            )
        except KafkaAdapterError as exc:  # a cluster may forbid topic creation: they may exist
            log.warning("ensure_topics_failed", error=str(exc))
        if self._silence_feed is None:
            feed = SilenceFeed(self._settings.kafka, topics.silences, self.silences)
            feed.start()  # before any alert: a silence must hold from the first notification
            self._silence_feed = feed
        if self._http is None:
            self._http = make_http_client()
        if self._receivers_override is not None:
            receivers = list(self._receivers_override)
        else:
            receivers = [
                build_receiver(
                    cfg,
                    client=self._http,
                    producer=producer,
                    timeout=self._config.policy_for(cfg).timeout,
                    messages=self.messages,
                )
                for cfg in self._config.effective_receivers()
            ]
        policies = {cfg.name: self._config.policy_for(cfg) for cfg in self._config.receivers}
        store = KafkaStateStore(self._settings.kafka, topics.notifier_state, producer)
        dlq = KafkaDeadLetterSink(producer, topics.alerts_dlq, SERVICE)
        workers: dict[str, ReceiverWorker] = {}
        pipeline = Pipeline(
            self._router,
            workers,
            store,
            self._metrics,
            max_sources=self._config.max_sources,
            max_pending=self._config.max_pending_alerts,
            clock=self._clock,
            silences=self.silences,
            inhibitor=Inhibitor(self._config.inhibit_rules),
            messages=self.messages,
        )
        parker = KafkaRetryParker(producer, topics.alerts_retry, [r.name for r in receivers])
        retry_workers: dict[str, ReceiverWorker] = {}
        kafka = self._settings.kafka
        retry_group = f"{self._config.group_id}.retry"
        drainer = RetryDrainer(
            topics.alerts_retry,
            lambda assigned, revoked: Consumer(
                kafka,
                [topics.alerts_retry],
                retry_group,
                on_assigned=assigned,
                on_revoked=revoked,
            ),
            retry_workers,
            dlq,
            clock=self._clock,
        )
        for receiver in receivers:
            policy = policies.get(receiver.name, self._config.delivery)
            health = ReceiverHealth()
            workers[receiver.name] = ReceiverWorker(
                receiver, policy, dlq, parker, pipeline.complete, self._metrics, health=health
            )
            retry_workers[receiver.name] = ReceiverWorker(
                receiver,
                policy,
                dlq,
                parker,
                drainer.complete,
                self._metrics,
                health=health,
                spill=False,
                role="retry",
            )
        routed = {r.receiver for r in self._config.effective_route().walk() if r.receiver}
        missing = routed - set(workers)
        if missing:
            raise ValueError(f"no receiver named {', '.join(sorted(missing))}")
        for worker in [*workers.values(), *retry_workers.values()]:
            worker.start()
        drainer.start()
        self._workers, self._pipeline, self._store = workers, pipeline, store
        self._dlq, self._parker = dlq, parker
        self._retry_workers, self._drainer = retry_workers, drainer
        log.info("notifier_started", receivers=sorted(workers), topic=topics.alerts)

    # -- reload (SIGHUP) --------------------------------------------------------------------

    def request_reload(self) -> None:
        """Reload routing, receivers and inhibit rules at the next loop turn (SIGHUP)."""
        self._reload_requested.set()

    def _reload(self) -> None:
        """Swap in the new notifier section, or keep the running one if the new one is bad.

        A changed receiver gets a new worker for new notifications; the old one finishes its
        queue and its retries (stopping it early would leave their alerts unacknowledged, and
        their partition's commits stuck) and idles until shutdown. A removed receiver keeps its
        worker: no route leads to it any more, but updates of its open stories still reach it
        until they close.
        """
        self._reload_requested.clear()
        if (
            self._reload_settings is None
            or self._pipeline is None
            or self._dlq is None
            or self._parker is None
            or self._drainer is None
        ):
            log.warning("notifier_config_reload_skipped", reason="no config source or not started")
            return
        try:
            new = self._reload_settings().notifier
            router = Router(new.effective_route())
            configs = new.effective_receivers() if self._receivers_override is None else ()
            missing = {r.receiver for r in new.effective_route().walk() if r.receiver} - {
                *self._workers,
                *(c.name for c in configs),
            }
            if missing:
                raise ValueError(f"no receiver named {', '.join(sorted(missing))}")
            old = {
                c.name: (c, self._config.policy_for(c)) for c in self._config.effective_receivers()
            }
            fresh = [c for c in configs if old.get(c.name) != (c, new.policy_for(c))]
            built = [(c, self._build_receiver(c, new)) for c in fresh]
        except Exception as exc:  # any problem: the running config stays
            self._metrics.notifier_config_reloads.labels("failed").inc()
            log.error("notifier_config_reload_failed", error=str(exc), keeping="running config")
            return
        for cfg, receiver in built:
            policy, health = new.policy_for(cfg), ReceiverHealth()
            worker = ReceiverWorker(
                receiver,
                policy,
                self._dlq,
                self._parker,
                self._pipeline.complete,
                self._metrics,
                health=health,
            )
            retry_worker = ReceiverWorker(
                receiver,
                policy,
                self._dlq,
                self._parker,
                self._drainer.complete,
                self._metrics,
                health=health,
                spill=False,
                role="retry",
            )
            worker.start()
            retry_worker.start()
            for old_worker in (self._workers.get(cfg.name), self._retry_workers.get(cfg.name)):
                if old_worker is not None:
                    self._retiring.append(old_worker)
            self._workers[cfg.name] = worker
            self._retry_workers[cfg.name] = retry_worker
        self._pipeline.reconfigure(router, Inhibitor(new.inhibit_rules))
        self._router, self._config = router, new
        self._metrics.notifier_config_reloads.labels("ok").inc()
        log.info(
            "notifier_config_reloaded",
            receivers=sorted(c.name for c in configs),
            replaced=sorted(c.name for c, _ in built),
            inhibit_rules=len(new.inhibit_rules),
        )

    def _build_receiver(self, cfg: ReceiverConfig, config: NotifierSettings) -> Receiver:
        assert self._http is not None and self._producer is not None
        if cfg.kafka is not None:
            try:
                ensure_topics(self._settings.kafka, [cfg.kafka.topic])
            except KafkaAdapterError as exc:
                log.warning("ensure_topics_failed", error=str(exc))
        return build_receiver(
            cfg,
            client=self._http,
            producer=self._producer,
            timeout=config.policy_for(cfg).timeout,
            messages=self.messages,
        )

    # -- rebalancing -----------------------------------------------------------------------

    def _on_assigned(self, parts: set[TP]) -> None:
        mine = {p for t, p in parts if t == self._settings.topics.alerts}
        self._assigned = mine
        self._to_replay |= mine
        log.info("partitions_assigned", partitions=sorted(mine))
        self._set_ready()

    def _on_revoked(self, parts: set[TP]) -> None:
        revoked = {p for t, p in parts if t == self._settings.topics.alerts}
        if self._pipeline is not None:
            self._pipeline.absorb()
            try:
                self._commit(force=True, only=revoked)
            except KafkaAdapterError as exc:
                log.warning("commit_on_revoke_failed", error=str(exc))
            for p in revoked:
                self._pipeline.revoke(p)
                self._committed.pop(p, None)
        self._assigned -= revoked
        self._to_replay -= revoked
        self._paused -= revoked
        log.info("partitions_revoked", partitions=sorted(revoked))

    def _replay(self) -> None:
        assert self._pipeline is not None and self._store is not None
        parts, self._to_replay = set(self._to_replay), set()
        try:
            states = self._store.load(parts)
        except KafkaAdapterError:
            self._to_replay |= parts
            raise
        for p in sorted(parts):
            restored = self._pipeline.assign(p, states)
            log.info("stories_restored", partition=p, stories=restored)
        self._set_ready()

    # -- the loop --------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        try:
            run_with_backoff(
                stop,
                lambda: self._connect_and_loop(stop),
                service=SERVICE,
                metrics=self._metrics,
                on_unavailable=self._disconnected,
            )
        finally:
            self.close()

    def _disconnected(self) -> None:
        self._connected = False

    def _connect_and_loop(self, stop: threading.Event) -> None:
        self._setup()
        if self._consumer is None:
            self._consumer = Consumer(
                self._settings.kafka,
                [self._settings.topics.alerts],
                self._config.group_id,
                on_assigned=self._on_assigned,
                on_revoked=self._on_revoked,
                auto_offset_reset=self._config.auto_offset_reset,
            )
        self._loop(stop)

    def _loop(self, stop: threading.Event) -> None:
        assert self._consumer is not None and self._pipeline is not None
        consumer, pipeline = self._consumer, self._pipeline
        while not stop.is_set():
            records = consumer.poll(timeout_ms=100)
            # poll() does not raise while the cluster is down (kafka-python reconnects with
            # backoff and returns nothing): ask the client, or /readyz stays 200 in an outage.
            self._connected = consumer.connected()
            if self._to_replay:
                self._replay()
            rewind: dict[int, int] = {}
            for record in records:
                if record.partition in pipeline.partitions:
                    self._handle(record)
                elif record.partition in self._assigned:
                    rewind.setdefault(record.partition, record.offset)
            for partition, offset in rewind.items():  # not restored yet: read again later
                consumer.seek(self._settings.topics.alerts, partition, offset)
            if self._reload_requested.is_set():
                self._reload()
            pipeline.tick()
            self._apply_pauses()
            self._commit()
            self._update_lag()
            self._set_ready()

    def _handle(self, record: Record) -> None:
        assert self._pipeline is not None
        self._metrics.messages_consumed.labels(SERVICE).inc()
        try:
            alert = Alert.model_validate_json(record.value or b"")
        except ValidationError as exc:
            self._dead_letter_record(record, "invalid_alert", str(exc))
            self._pipeline.skip(record.partition, record.offset)
            return
        self._metrics.messages_decoded.labels(SERVICE).inc()
        self._pipeline.add(record.partition, record.offset, alert)

    def _dead_letter_record(self, record: Record, reason: str, error: str) -> None:
        assert self._producer is not None
        log.warning(
            "alert_dead_lettered",
            reason=reason,
            partition=record.partition,
            offset=record.offset,
            error=error[:500],
        )
        result = self._producer.send(
            self._settings.topics.alerts_dlq,
            record.value or b"",
            key=record.key,
            headers=[
                *record.headers,
                *dead_letter_headers(record, reason=reason, error=error, service=SERVICE),
            ],
        )
        self._producer.flush(timeout=self._settings.kafka.request_timeout_ms / 1000)
        result.get(timeout=1.0)
        self._metrics.messages_dead_lettered.labels(SERVICE, reason).inc()

    def _apply_pauses(self) -> None:
        assert self._consumer is not None and self._pipeline is not None
        blocked = self._pipeline.blocked() & self._assigned
        topic = self._settings.topics.alerts
        if blocked - self._paused:
            self._consumer.pause((topic, p) for p in blocked - self._paused)
            log.info("partitions_paused", partitions=sorted(blocked - self._paused))
        if self._paused - blocked:
            self._consumer.resume((topic, p) for p in self._paused - blocked)
            log.info("partitions_resumed", partitions=sorted(self._paused - blocked))
        self._paused = blocked

    def _commit(self, *, force: bool = False, only: set[int] | None = None) -> None:
        if self._consumer is None or self._pipeline is None:
            return
        now = time.monotonic()
        if not force and now - self._last_commit < 0.2:
            return
        self._last_commit = now
        topic = self._settings.topics.alerts
        todo = {
            p: off
            for p, off in self._pipeline.committable().items()
            if (only is None or p in only) and off > self._committed.get(p, -1)
        }
        if todo:
            self._consumer.commit({(topic, p): off for p, off in todo.items()})
            self._committed.update(todo)

    def _update_lag(self) -> None:
        if self._consumer is not None:
            self._lag.update(self._consumer)

    def close(self) -> None:
        """Stop the workers, persist and commit what finished, close every client."""
        every = [*self._workers.values(), *self._retry_workers.values(), *self._retiring]
        for worker in every:  # all at once: each may be in the middle of a slow attempt
            worker.signal_stop()
        for worker in every:
            worker.stop()
        if self._drainer is not None:
            self._drainer.stop()
            self._drainer = None
        for worker in self._retiring:
            if worker.role != "retry":
                worker.receiver.close()
        self._retiring = []
        if self._pipeline is not None and self._consumer is not None:
            try:
                self._pipeline.absorb()
                self._commit(force=True)
            except KafkaAdapterError as exc:
                log.warning("final_commit_failed", error=str(exc))
        for worker in self._workers.values():
            worker.receiver.close()
        if self._silence_feed is not None:
            self._silence_feed.stop()
            self._silence_feed = None
        self._workers, self._retry_workers, self._pipeline = {}, {}, None
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
        if self._producer is not None:
            self._producer.close()
            self._producer = None
        if self._http is not None and self._own_http:
            self._http.close()
            self._http = None
        self._connected = False
        self._metrics.ready.labels(SERVICE).set(0)
        log.info("notifier_stopped")
