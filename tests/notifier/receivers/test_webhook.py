"""Signed webhooks against a real loopback server, through the retrying worker."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import httpx
import jsonschema
import pytest
from prometheus_client import CollectorRegistry
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from policywatch.errors import DeliveryError
from policywatch.kafka.memory import MemoryBroker
from policywatch.notifier.dead_letters import MemoryDeadLetterSink
from policywatch.notifier.notification import notification_id
from policywatch.notifier.receivers import Receiver, WebhookReceiver, parse_retry_after
from policywatch.notifier.retries import KafkaRetryParker, Parked, RetryDrainer
from policywatch.notifier.signing import SignatureError, sign, signed_headers, verify
from policywatch.notifier.webhook_listener import WebhookListener, generate_secret
from policywatch.notifier.worker import (
    Completion,
    Job,
    ReceiverHealth,
    ReceiverWorker,
    retry_delay,
)
from policywatch.observability.metrics import Metrics
from policywatch.settings.notifier import DeliveryPolicy

from ..helpers import SECRET, make_notification

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"

FAST = DeliveryPolicy(retry_schedule=(0.02, 0.05, 0.1), timeout=2)
RETRY_TOPIC = "alerts.retry"


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as c:
        yield c


@pytest.fixture
def hook() -> Iterator[WebhookListener]:
    with WebhookListener(SECRET) as listener:
        yield listener


class Harness:
    """A receiver's fresh and retry workers, the retry topic on an in-memory broker between
    them; ``done`` holds the final completions (sent or dead-lettered)."""

    def __init__(self, receiver: Receiver, policy: DeliveryPolicy = FAST) -> None:
        self.registry = CollectorRegistry()
        self.broker = MemoryBroker(partitions=2)
        self.dlq = MemoryDeadLetterSink()
        self.done: list[Completion] = []
        self.parked = 0
        self._cond = threading.Condition()
        metrics = Metrics.create(self.registry)
        parker = KafkaRetryParker(self.broker.producer(), RETRY_TOPIC, [receiver.name])
        health = ReceiverHealth()
        retry_workers: dict[str, ReceiverWorker] = {}
        self.drainer = RetryDrainer(
            RETRY_TOPIC,
            lambda a, r: self.broker.consumer([RETRY_TOPIC], "retry", on_assigned=a, on_revoked=r),
            retry_workers,
            self.dlq,
        )

        def on_retry(c: Completion) -> None:
            self.drainer.complete(c)
            self._complete(c)

        self.worker = ReceiverWorker(
            receiver, policy, self.dlq, parker, self._complete, metrics, health=health
        )
        self.retry_worker = ReceiverWorker(
            receiver,
            policy,
            self.dlq,
            parker,
            on_retry,
            metrics,
            health=health,
            spill=False,
            role="retry",
        )
        retry_workers[receiver.name] = self.retry_worker
        self.worker.start()
        self.retry_worker.start()
        self.drainer.start()

    def _complete(self, c: Completion) -> None:
        with self._cond:
            if c.outcome == "parked":
                self.parked += 1
            else:
                self.done.append(c)
            self._cond.notify_all()

    def run(self, count: int, timeout: float = 10.0) -> list[Completion]:
        for i in range(count):
            job = Job(make_notification(story=f"pws_{i}"), 0, 1, f"k{i}")
            assert self.worker.offer(job)
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.done) < count and time.monotonic() < deadline:
                self._cond.wait(0.05)
        for worker in (self.worker, self.retry_worker):
            worker.stop()
        self.drainer.stop()
        return list(self.done)

    def retry_topic(self) -> list[Parked]:
        return [Parked.from_record(r) for r in self.broker.records(RETRY_TOPIC)]

    def metric(self, name: str, **labels: str) -> float | None:
        return self.registry.get_sample_value(name, labels)


def test_a_delivery_verifies_with_the_standard_webhooks_library(
    hook: WebhookListener, client: httpx.Client
) -> None:
    n = make_notification()
    WebhookReceiver("ops", client, hook.url, SECRET).send(n)
    (d,) = hook.deliveries
    Webhook(SECRET).verify(d.body, d.headers)
    assert d.id == n.id == d.headers["webhook-id"]
    assert d.headers["content-type"] == "application/json"
    assert d.notification() == n
    assert d.payload().type == "policywatch.story.created"
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(d.body, d.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(d.body + b" ", d.headers)


def test_every_secret_of_a_rotation_signs_and_each_verifies_alone(
    hook: WebhookListener, client: httpx.Client
) -> None:
    new = generate_secret()
    WebhookReceiver("ops", client, hook.url, [SECRET, new]).send(make_notification())
    (d,) = hook.deliveries
    signatures = d.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    Webhook(SECRET).verify(d.body, d.headers)
    Webhook(new).verify(d.body, d.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(d.body, d.headers)


def test_the_body_is_the_standard_webhooks_envelope_and_matches_its_schema(
    hook: WebhookListener, client: httpx.Client
) -> None:
    schema = json.loads((SCHEMAS / "notification.schema.json").read_text(encoding="utf-8"))
    receiver = WebhookReceiver("ops", client, hook.url, SECRET)
    first = make_notification(sources=2)
    update = make_notification(sequence=2, sources=3)
    receiver.send(first)
    receiver.send(update)
    for delivery, kind in zip(
        hook.deliveries, ("policywatch.story.created", "policywatch.story.updated"), strict=True
    ):
        body = delivery.json()
        jsonschema.validate(body, schema)
        assert set(body) == {"type", "timestamp", "data"} and body["type"] == kind
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**hook.deliveries[0].json(), "type": "story.created"}, schema)


def test_webhook_ids_are_stable_and_never_contain_a_dot() -> None:
    ids = {notification_id(f"pws_{i}", seq) for i in range(50) for seq in (1, 2, 3)}
    assert len(ids) == 150
    assert all(i.startswith("msg_") and "." not in i for i in ids)
    assert notification_id("pws_7", 2) == notification_id("pws_7", 2)
    with pytest.raises(ValueError, match="must not contain"):
        signed_headers(SECRET, "pws_1.2", b"{}")


def test_our_signature_matches_the_reference_implementation() -> None:
    from datetime import UTC, datetime

    body = '{"a": "ü"}'
    ours = sign(SECRET, "msg_1", 1_700_000_000, body.encode())
    theirs = Webhook(SECRET).sign("msg_1", datetime.fromtimestamp(1_700_000_000, UTC), body)
    assert ours == theirs


def test_the_listener_rejects_bad_signatures() -> None:
    body = b"{}"
    headers = signed_headers(generate_secret(), "msg_x", body)
    with pytest.raises(SignatureError):
        verify(SECRET, body, headers)
    stale = signed_headers(SECRET, "msg_x", body, now=time.time() - 3600)
    with pytest.raises(SignatureError, match="tolerance"):
        verify(SECRET, body, stale)
    assert verify(SECRET, body, signed_headers(SECRET, "msg_x", body)) == "msg_x"


def test_a_receiver_that_fails_then_recovers_gets_each_notification_once(
    hook: WebhookListener, client: httpx.Client
) -> None:
    hook.respond_with(500, 502, 503)
    h = Harness(WebhookReceiver("ops", client, hook.url, SECRET))
    done = h.run(3)
    assert [c.outcome for c in done] == ["sent"] * 3
    assert sorted(i or "" for i in hook.ids()) == sorted(
        make_notification(story=f"pws_{i}").id for i in range(3)
    )
    assert hook.attempts == 6
    assert h.metric("policywatch_notifications_sent_total", receiver="ops") == 3.0
    assert h.dlq.letters == []
    # Every failure (and every notification that came while the receiver was failing) waited
    # on the retry topic, keyed by the receiver, with its due time; none in memory.
    parked = h.retry_topic()
    assert len(parked) >= 3 and {p.notification.receiver for p in parked} == {"ops"}
    assert h.metric("policywatch_notifications_retried_total", receiver="ops") == len(parked)
    assert h.drainer.held() == {}


def test_a_receiver_that_stays_down_is_dead_lettered_after_the_budget(
    hook: WebhookListener, client: httpx.Client
) -> None:
    hook.respond_with(*([500] * 4))
    h = Harness(WebhookReceiver("ops", client, hook.url, SECRET))
    (c,) = h.run(1)
    assert (c.outcome, c.reason) == ("dead_lettered", "retries_exhausted")
    assert hook.attempts == FAST.max_attempts == 4
    (letter,) = h.dlq.letters
    assert letter.notification.id == make_notification(story="pws_0").id
    assert "4 attempts" in letter.error and "HTTP 500" in letter.error
    # Parked after attempts 1, 2 and 3, each due after the next delay of the schedule.
    parked = h.retry_topic()
    assert [p.attempts for p in parked] == [1, 2, 3]
    gaps = [later.due - p.due for p, later in itertools.pairwise(parked)]
    assert all(gap >= delay for gap, delay in zip(gaps, (0.05, 0.1), strict=True))


def test_a_rejected_notification_is_dead_lettered_without_retry(
    hook: WebhookListener, client: httpx.Client
) -> None:
    hook.respond_with(400)
    h = Harness(WebhookReceiver("ops", client, hook.url, SECRET))
    (c,) = h.run(1)
    assert (c.outcome, c.reason, hook.attempts) == ("dead_lettered", "rejected", 1)


def test_410_gone_disables_the_receiver(hook: WebhookListener, client: httpx.Client) -> None:
    hook.respond_with(410)
    h = Harness(WebhookReceiver("ops", client, hook.url, SECRET))
    done = h.run(3)
    assert sorted(c.reason or "" for c in done) == [
        "gone",
        "receiver_disabled",
        "receiver_disabled",
    ]
    assert hook.attempts == 1
    assert h.metric("policywatch_receiver_disabled", receiver="ops") == 1.0
    assert len(h.dlq.letters) == 3


def test_retry_after_is_honoured(hook: WebhookListener, client: httpx.Client) -> None:
    hook.respond_with((429, {"Retry-After": "1"}))
    h = Harness(WebhookReceiver("ops", client, hook.url, SECRET))
    started = time.monotonic()
    (c,) = h.run(1)
    assert c.outcome == "sent"
    assert time.monotonic() - started >= 0.95  # the backoff alone would be ~20 ms


def test_an_unreachable_receiver_is_retried_then_dead_lettered(client: httpx.Client) -> None:
    with WebhookListener(SECRET) as gone:
        url = gone.url  # a port nobody listens on once the listener stops
    h = Harness(WebhookReceiver("ops", client, url, SECRET))
    (c,) = h.run(1)
    assert (c.outcome, c.reason) == ("dead_lettered", "retries_exhausted")
    assert url not in h.dlq.letters[0].error  # URLs may carry tokens: never in errors


def test_the_default_schedule_is_svix_and_retry_after_only_lengthens_a_wait() -> None:
    policy = DeliveryPolicy(max_retry_after=600)
    assert [retry_delay(policy, a, None) for a in range(1, 7)] == [
        5,
        300,
        1800,
        7200,
        18000,
        36000,
    ]
    assert policy.max_attempts == 7 and policy.timeout == 15
    assert retry_delay(policy, 1, 12.0) == 12.0
    assert retry_delay(policy, 1, 3600.0) == 600.0
    assert retry_delay(policy, 2, 12.0) == 300.0
    custom = DeliveryPolicy.model_validate({"retry_schedule": ["200ms", "1h30m", "1w"]})
    assert custom.retry_schedule == (0.2, 5400.0, 604800.0)


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert parse_retry_after("120") == 120.0
    now = time.time()
    assert parse_retry_after(formatdate(now + 60, usegmt=True), now=now) == pytest.approx(60, abs=1)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_a_memory_receiver_failure_script_is_retried() -> None:
    from policywatch.notifier.receivers import MemoryReceiver

    memory = MemoryReceiver(
        "ops", [DeliveryError("down", receiver="ops", retriable=True, retry_after=0.01)]
    )
    h = Harness(memory)
    (c,) = h.run(1)
    assert c.outcome == "sent" and memory.attempts == 2 and len(memory.sent) == 1


def test_a_full_queue_or_a_failing_receiver_parks_instead_of_refusing() -> None:
    from policywatch.notifier.receivers import MemoryReceiver

    failures = [DeliveryError("down", receiver="ops", retriable=True) for _ in range(3)]
    memory = MemoryReceiver("ops", failures)
    policy = DeliveryPolicy(retry_schedule=(0.05, 0.05, 0.05), queue_size=1)
    h = Harness(memory, policy)
    done = h.run(5)
    # The fresh worker never refused a job, however many were offered to its one slot.
    assert [c.outcome for c in done] == ["sent"] * 5
    assert sorted(n.id for n in memory.sent) == sorted(
        make_notification(story=f"pws_{i}").id for i in range(5)
    )
    assert h.parked >= 3


def test_each_receiver_parks_on_a_partition_of_its_own() -> None:
    broker = MemoryBroker(partitions=3)
    broker.create_topic(RETRY_TOPIC)
    parker = KafkaRetryParker(broker.producer(), RETRY_TOPIC, ["ops", "chat", "audit"])
    for receiver in ("ops", "chat", "audit", "ops"):
        note = make_notification().model_copy(update={"receiver": receiver})
        parker.park(note, attempts=1, due=0.0, error="HTTP 503")
    by_receiver: dict[str, set[int]] = {}
    for record in broker.records(RETRY_TOPIC):
        by_receiver.setdefault((record.key or b"").decode(), set()).add(record.partition)
    assert by_receiver == {"audit": {0}, "chat": {1}, "ops": {2}}
