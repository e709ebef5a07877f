"""One worker thread per receiver: a bounded queue, retries with backoff, then the DLQ.

A job ends in exactly one :class:`Completion` — ``sent`` or ``dead_lettered`` — handed to the
service's callback, which acknowledges the alerts behind it. A job cut short by :meth:`stop`
ends in none: its alerts stay uncommitted and are notified again (same id) after a restart.

Policy per failed attempt: 410 Gone disables the receiver (this and every later notification
for it is dead-lettered, reason ``gone``/``receiver_disabled``); a non-retriable error
dead-letters at once (``rejected``); a retriable one is retried after an exponential backoff
with jitter, or after the receiver's ``Retry-After`` (capped), until ``max_attempts`` is spent
(``retries_exhausted``).
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import structlog

from policywatch.errors import DeliveryError
from policywatch.notifier.dead_letters import DeadLetterSink
from policywatch.notifier.notification import Notification
from policywatch.notifier.receivers.base import Receiver
from policywatch.observability.metrics import Metrics
from policywatch.settings.notifier import DeliveryPolicy

log = structlog.get_logger("policywatch.notifier")


@dataclass(frozen=True, slots=True)
class Job:
    notification: Notification
    partition: int
    generation: int
    key: str


@dataclass(frozen=True, slots=True)
class Completion:
    job: Job
    receiver: str
    outcome: Literal["sent", "dead_lettered"]
    reason: str | None = None


def backoff_delay(
    policy: DeliveryPolicy, attempt: int, retry_after: float | None, jitter: float
) -> float:
    """Seconds before attempt ``attempt + 1``; ``jitter`` in [0, 1) spreads retries apart."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), policy.max_retry_after)
    base = min(policy.max_backoff, policy.initial_backoff * 2.0 ** (attempt - 1))
    return base / 2 + jitter * base / 2


class ReceiverWorker:
    def __init__(
        self,
        receiver: Receiver,
        policy: DeliveryPolicy,
        dead_letters: DeadLetterSink,
        on_complete: Callable[[Completion], None],
        metrics: Metrics,
        *,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.receiver = receiver
        self.name = receiver.name
        self._policy = policy
        self._dead_letters = dead_letters
        self._on_complete = on_complete
        self._metrics = metrics
        self._jitter = jitter
        self._queue: queue.Queue[Job] = queue.Queue(maxsize=policy.queue_size)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.disabled = False
        metrics.receivers_disabled.labels(self.name).set(0)

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def offer(self, job: Job) -> bool:
        """Queue a job; False when the queue is full (the caller pauses instead of buffering)."""
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            return False
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"receiver-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                job = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                self._deliver(job)
            except Exception:  # a bug here must not kill the receiver's thread
                log.exception("delivery_crashed", receiver=self.name)

    def _deliver(self, job: Job) -> None:
        n = job.notification
        m = self._metrics
        attempt = 0
        while not self._stopping.is_set():
            if self.disabled:
                self._dead_letter(job, "receiver_disabled", "receiver answered 410 Gone earlier")
                return
            attempt += 1
            started = time.perf_counter()
            try:
                self.receiver.send(n)
            except DeliveryError as exc:
                error: DeliveryError = exc
            except Exception as exc:  # a receiver bug counts as a retriable failure
                log.exception("receiver_error", receiver=self.name, notification_id=n.id)
                error = DeliveryError(repr(exc), receiver=self.name, retriable=True)
            else:
                m.delivery_seconds.labels(self.name).observe(time.perf_counter() - started)
                m.notifications_sent.labels(self.name).inc()
                m.time_to_notify_seconds.labels(self.name).observe(
                    max(0.0, time.time() - n.last_detected_at.timestamp())
                )
                log.info(
                    "notification_sent",
                    receiver=self.name,
                    notification_id=n.id,
                    story_id=n.story_id,
                    corroboration=n.corroboration,
                    attempt=attempt,
                )
                self._on_complete(Completion(job, self.name, "sent"))
                return
            m.delivery_seconds.labels(self.name).observe(time.perf_counter() - started)
            if error.gone:
                m.notifications_failed.labels(self.name, "gone").inc()
                self.disabled = True
                m.receivers_disabled.labels(self.name).set(1)
                log.error("receiver_disabled", receiver=self.name, error=str(error))
                self._dead_letter(job, "gone", str(error))
                return
            if not error.retriable:
                m.notifications_failed.labels(self.name, "rejected").inc()
                self._dead_letter(job, "rejected", str(error))
                return
            m.notifications_failed.labels(self.name, "retriable").inc()
            if attempt >= self._policy.max_attempts:
                self._dead_letter(job, "retries_exhausted", f"{attempt} attempts; last: {error}")
                return
            delay = backoff_delay(self._policy, attempt, error.retry_after, self._jitter())
            m.notifications_retried.labels(self.name).inc()
            log.warning(
                "delivery_retry",
                receiver=self.name,
                notification_id=n.id,
                attempt=attempt,
                error=str(error),
                retry_in=round(delay, 3),
            )
            self._stopping.wait(delay)

    def _dead_letter(self, job: Job, reason: str, error: str) -> None:
        wait = 0.5
        while not self._stopping.is_set():
            try:
                self._dead_letters.dead_letter(job.notification, reason=reason, error=error)
            except Exception as exc:  # the DLQ must be written before the offset moves on
                log.warning("dead_letter_failed", receiver=self.name, error=str(exc), retry_in=wait)
                self._stopping.wait(wait)
                wait = min(wait * 2, 10.0)
                continue
            self._metrics.notifications_dead_lettered.labels(self.name).inc()
            log.warning(
                "notification_dead_lettered",
                receiver=self.name,
                notification_id=job.notification.id,
                reason=reason,
                error=error[:500],
            )
            self._on_complete(Completion(job, self.name, "dead_lettered", reason))
            return
