"""Signed webhooks against a real loopback server, through the retrying worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from email.utils import formatdate

import httpx
import pytest
from prometheus_client import CollectorRegistry
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from policywatch.errors import DeliveryError
from policywatch.notifier.dead_letters import MemoryDeadLetterSink
from policywatch.notifier.receivers import Receiver, WebhookReceiver, parse_retry_after
from policywatch.notifier.signing import SignatureError, sign, signed_headers, verify
from policywatch.notifier.webhook_listener import WebhookListener, generate_secret
from policywatch.notifier.worker import Completion, Job, ReceiverWorker, backoff_delay
from policywatch.observability.metrics import Metrics
from policywatch.settings.notifier import DeliveryPolicy

from ..helpers import SECRET, make_notification

FAST = DeliveryPolicy(initial_backoff=0.02, max_backoff=0.1, max_attempts=4, timeout=2)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as c:
        yield c


@pytest.fixture
def hook() -> Iterator[WebhookListener]:
    with WebhookListener(SECRET) as listener:
        yield listener


class Harness:
    def __init__(self, receiver: Receiver, policy: DeliveryPolicy = FAST) -> None:
        self.registry = CollectorRegistry()
        self.dlq = MemoryDeadLetterSink()
        self.done: list[Completion] = []
        self._cond = threading.Condition()
        self.worker = ReceiverWorker(
            receiver, policy, self.dlq, self._complete, Metrics.create(self.registry)
        )
        self.worker.start()

    def _complete(self, c: Completion) -> None:
        with self._cond:
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
        self.worker.stop()
        return list(self.done)

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
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(d.body, d.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(d.body + b" ", d.headers)


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
    assert sorted(i or "" for i in hook.ids()) == ["pws_0.1", "pws_1.1", "pws_2.1"]
    assert hook.attempts == 6
    assert h.metric("policywatch_notifications_retried_total", receiver="ops") == 3.0
    assert h.metric("policywatch_notifications_sent_total", receiver="ops") == 3.0
    assert h.dlq.letters == []


def test_a_receiver_that_stays_down_is_dead_lettered_after_the_budget(
    hook: WebhookListener, client: httpx.Client
) -> None:
    hook.respond_with(*([500] * 4))
    h = Harness(WebhookReceiver("ops", client, hook.url, SECRET))
    (c,) = h.run(1)
    assert (c.outcome, c.reason) == ("dead_lettered", "retries_exhausted")
    assert hook.attempts == FAST.max_attempts
    (letter,) = h.dlq.letters
    assert letter.notification.id == "pws_0.1" and "HTTP 500" in letter.error


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


def test_backoff_grows_exponentially_with_jitter_and_caps() -> None:
    policy = DeliveryPolicy(initial_backoff=1, max_backoff=8, max_retry_after=30)
    assert [backoff_delay(policy, a, None, 1.0) for a in range(1, 6)] == [1, 2, 4, 8, 8]
    assert [backoff_delay(policy, a, None, 0.0) for a in range(1, 4)] == [0.5, 1, 2]
    assert backoff_delay(policy, 1, 12.0, 0.5) == 12.0
    assert backoff_delay(policy, 1, 3600.0, 0.5) == 30.0


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
