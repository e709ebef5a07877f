"""The notifier's consume → deliver → commit loop.

This first version delivers to one receiver: the console (stdout). Routing, grouping and
webhook/Slack/Kafka receivers build on the same loop.
"""

from __future__ import annotations

import sys
import threading

import structlog
from pydantic import ValidationError

from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Consumer, Producer, Record, dead_letter_headers
from policywatch.models import Alert
from policywatch.observability.metrics import Metrics
from policywatch.render import format_alert
from policywatch.settings import Settings

SERVICE = "notifier"
log = structlog.get_logger("policywatch.notifier")


class NotifierService:
    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self._settings = settings
        self._metrics = metrics
        self._consumer: Consumer | None = None
        self._producer: Producer | None = None
        self._assigned: set[tuple[str, int]] = set()
        self._connected = False

    def readiness(self) -> tuple[bool, str]:
        if not self._connected:
            return False, "not connected to Kafka"
        if not self._assigned:
            return False, "no partitions assigned"
        return True, f"ready: {len(self._assigned)} partitions"

    def _on_assigned(self, parts: set[tuple[str, int]]) -> None:
        self._assigned = set(parts)

    def _on_revoked(self, parts: set[tuple[str, int]]) -> None:
        self._assigned -= parts

    def run(self, stop: threading.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                if self._producer is None:
                    self._producer = Producer(self._settings.kafka)
                if self._consumer is None:
                    self._consumer = Consumer(
                        self._settings.kafka,
                        [self._settings.topics.alerts],
                        "policywatch-notifier",
                        on_assigned=self._on_assigned,
                        on_revoked=self._on_revoked,
                    )
                while not stop.is_set():
                    records = self._consumer.poll(timeout_ms=200)
                    self._connected = True
                    self._metrics.ready.labels(SERVICE).set(1 if self.readiness()[0] else 0)
                    if records:
                        self._deliver(records)
                backoff = 0.5
            except KafkaAdapterError as exc:
                self._connected = False
                self._metrics.ready.labels(SERVICE).set(0)
                log.warning("kafka_unavailable", error=str(exc), retry_in=backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        if self._consumer is not None:
            self._consumer.close()
        if self._producer is not None:
            self._producer.close()

    def _deliver(self, records: list[Record]) -> None:
        assert self._consumer is not None and self._producer is not None
        offsets: dict[tuple[str, int], int] = {}
        dead = []
        for record in records:
            offsets[(record.topic, record.partition)] = record.offset + 1
            self._metrics.messages_consumed.labels(SERVICE).inc()
            try:
                alert = Alert.model_validate_json(record.value or b"")
            except ValidationError as exc:
                self._metrics.messages_dead_lettered.labels(SERVICE, "invalid_alert").inc()
                dead.append(
                    self._producer.send(
                        self._settings.topics.alerts_dlq,
                        record.value or b"",
                        key=record.key,
                        headers=dead_letter_headers(
                            record, reason="invalid_alert", error=str(exc), service=SERVICE
                        ),
                    )
                )
                continue
            self._metrics.messages_decoded.labels(SERVICE).inc()
            print(format_alert(alert), end="\n\n", file=sys.stdout, flush=True)
            self._metrics.notifications_sent.labels("console").inc()
        if dead:
            self._producer.flush()
            for result in dead:
                result.get()
        self._consumer.commit(offsets)
