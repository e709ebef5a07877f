"""One worker thread per receiver and path: a bounded queue, one attempt per job, then park.

A job ends in exactly one :class:`Completion` — ``sent``, ``parked`` (durably on the retry
topic, see ``notifier/retries.py``) or ``dead_lettered`` — handed to the owner's callback, which
acknowledges the offsets behind it. A job cut short by :meth:`stop` ends in none: its offsets
stay uncommitted and it is attempted again (same id) after a restart.

Nothing waits in memory for a retry. Policy per failed attempt: 410 Gone disables the receiver
(this and every later notification for it is dead-lettered, reason ``gone`` /
``receiver_disabled``); a non-retriable error dead-letters at once (``rejected``); a retriable
one is parked on the retry topic, due after the next delay of ``retry_schedule`` (or the
receiver's ``Retry-After``, capped, when longer), until the schedule is spent
(``retries_exhausted``).

Isolation: a receiver never holds up the ``alerts`` partitions. A fresh notification that finds
its receiver's queue full, or finds the receiver failing (its last attempt failed), is parked at
once, due now, and the retry path — which probes the receiver — delivers it. So a dead receiver
costs the pipeline one produce per notification, and memory stays at ``queue_size`` per worker.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

import structlog

from policywatch.errors import DeliveryError
from policywatch.notifier.dead_letters import DeadLetterSink
from policywatch.notifier.notification import Notification
from policywatch.notifier.receivers.base import Receiver
from policywatch.observability.metrics import Metrics
from policywatch.settings.notifier import DeliveryPolicy

log = structlog.get_logger("policywatch.notifier")

Outcome = Literal["sent", "parked", "dead_lettered"]


class RetryParker(Protocol):
    """Where a notification waits for its next attempt (the retry topic in production)."""

    def park(self, notification: Notification, *, attempts: int, due: float, error: str) -> None:
        """Persist durably before returning, or raise."""
        ...


@dataclass(frozen=True, slots=True)
class Job:
    notification: Notification
    partition: int
    generation: int
    key: str
    #: Attempts already made (a job from the retry topic carries its history).
    attempts: int = 0
    #: The retry-topic record behind the job (-1 for a fresh notification).
    offset: int = -1


@dataclass(frozen=True, slots=True)
class Completion:
    job: Job
    receiver: str
    outcome: Outcome
    reason: str | None = None


@dataclass
class ReceiverHealth:
    """What the fresh and the retry worker of one receiver share."""

    disabled: bool = False
    #: The last attempt failed: fresh notifications skip the queue and go to the retry topic.
    failing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def retry_delay(policy: DeliveryPolicy, attempts: int, retry_after: float | None) -> float:
    """Seconds before attempt ``attempts + 1``; ``Retry-After`` can only lengthen the wait."""
    delay = policy.retry_schedule[attempts - 1]
    if retry_after is not None:
        delay = max(delay, min(max(retry_after, 0.0), policy.max_retry_after))
    return delay


class ReceiverWorker:
    """``spill``: a full queue parks the job on the retry topic (the fresh path) instead of
    refusing it (the retry path, whose caller keeps the record in Kafka)."""

    def __init__(
        self,
        receiver: Receiver,
        policy: DeliveryPolicy,
        dead_letters: DeadLetterSink,
        parker: RetryParker,
        on_complete: Callable[[Completion], None],
        metrics: Metrics,
        *,
        health: ReceiverHealth | None = None,
        spill: bool = True,
        clock: Callable[[], float] = time.time,
        role: str = "fresh",
    ) -> None:
        self.receiver = receiver
        self.name = receiver.name
        self.health = health or ReceiverHealth()
        self._policy = policy
        self._dead_letters = dead_letters
        self._parker = parker
        self._on_complete = on_complete
        self._metrics = metrics
        self._spill = spill
        self._clock = clock
        self._role = role
        self._queue: queue.Queue[Job] = queue.Queue(maxsize=policy.queue_size)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        metrics.receivers_disabled.labels(self.name).set(0)
        metrics.receiver_queued.labels(self.name, role).set_function(self._queue.qsize)

    @property
    def disabled(self) -> bool:
        return self.health.disabled

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    @property
    def capacity(self) -> int:
        return self._policy.queue_size

    def offer(self, job: Job) -> bool:
        """Take a job; False only when it could be neither queued nor parked (the caller keeps
        it in Kafka: it pauses, or seeks back)."""
        if self._spill and (self.health.failing or self.health.disabled):
            return self._park_now(job, "receiver failing")
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            if not self._spill:
                return False
            return self._park_now(job, "receiver queue full")
        return True

    def _park_now(self, job: Job, why: str) -> bool:
        try:
            self._parker.park(job.notification, attempts=job.attempts, due=self._clock(), error=why)
        except Exception as exc:  # the caller keeps the alert in Kafka instead
            log.warning("park_failed", receiver=self.name, error=str(exc))
            return False
        self._metrics.notifications_retried.labels(self.name).inc()
        self._on_complete(Completion(job, self.name, "parked", why))
        return True

    @property
    def role(self) -> str:
        """``fresh`` (new notifications) or ``retry`` (those parked on the retry topic)."""
        return self._role

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"receiver-{self._role}-{self.name}", daemon=True
        )
        self._thread.start()

    def signal_stop(self) -> None:
        """Ask the thread to stop after the attempt in progress (:meth:`stop` waits for it)."""
        self._stopping.set()

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
        if self.health.disabled:
            self._dead_letter(job, "receiver_disabled", "receiver answered 410 Gone earlier")
            return
        if self._spill and self.health.failing:
            self._park(job, job.attempts, self._clock(), "receiver failing")
            return
        attempt = job.attempts + 1
        started = time.perf_counter()
        try:
            self.receiver.send(n)
        except DeliveryError as exc:
            error: DeliveryError = exc
        except Exception as exc:  # a receiver bug counts as a retriable failure
            log.exception("receiver_error", receiver=self.name, notification_id=n.id)
            error = DeliveryError(repr(exc), receiver=self.name, retriable=True)
        else:
            self.health.failing = False
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
            self.health.disabled = True
            m.receivers_disabled.labels(self.name).set(1)
            log.error("receiver_disabled", receiver=self.name, error=str(error))
            self._dead_letter(job, "gone", str(error))
            return
        if not error.retriable:
            m.notifications_failed.labels(self.name, "rejected").inc()
            self._dead_letter(job, "rejected", str(error))
            return
        m.notifications_failed.labels(self.name, "retriable").inc()
        self.health.failing = True
        if attempt >= self._policy.max_attempts:
            self._dead_letter(job, "retries_exhausted", f"{attempt} attempts; last: {error}")
            return
        delay = retry_delay(self._policy, attempt, error.retry_after)
        log.warning(
            "delivery_retry",
            receiver=self.name,
            notification_id=n.id,
            attempt=attempt,
            error=str(error),
            retry_in=round(delay, 3),
        )
        self._park(job, attempt, self._clock() + delay, str(error))

    def _park(self, job: Job, attempts: int, due: float, error: str) -> None:
        def write() -> None:
            self._parker.park(job.notification, attempts=attempts, due=due, error=error)

        if self._persist(job, write):
            self._metrics.notifications_retried.labels(self.name).inc()
            self._on_complete(Completion(job, self.name, "parked", error))

    def _dead_letter(self, job: Job, reason: str, error: str) -> None:
        if not self._persist(
            job,
            lambda: self._dead_letters.dead_letter(job.notification, reason=reason, error=error),
        ):
            return
        self._metrics.notifications_dead_lettered.labels(self.name).inc()
        log.warning(
            "notification_dead_lettered",
            receiver=self.name,
            notification_id=job.notification.id,
            reason=reason,
            error=error[:500],
        )
        self._on_complete(Completion(job, self.name, "dead_lettered", reason))

    def _persist(self, job: Job, write: Callable[[], None]) -> bool:
        """Retry ``write`` until it succeeds (the offset must not move on before) or we stop."""
        wait = 0.5
        while not self._stopping.is_set():
            try:
                write()
            except Exception as exc:
                log.warning(
                    "notification_write_failed",
                    receiver=self.name,
                    notification_id=job.notification.id,
                    error=str(exc),
                    retry_in=wait,
                )
                self._stopping.wait(wait)
                wait = min(wait * 2, 10.0)
                continue
            return True
        return False
