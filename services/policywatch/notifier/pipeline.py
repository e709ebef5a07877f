"""The notifier's core, free of Kafka: alerts in, jobs to receiver workers, offsets out.

The service's loop drives it from one thread: :meth:`Pipeline.add` for each consumed alert,
:meth:`Pipeline.tick` to dispatch due stories and absorb finished deliveries, then
:meth:`Pipeline.committable` for the offsets that are safe to commit. Worker threads only call
:meth:`Pipeline.complete`, which enqueues.

Guarantees:
- An alert's offset becomes committable only when every notification it is part of has been
  sent, parked or dead-lettered *and* the story's new state is in the changelog; so after a
  crash the alert is re-read, and the replayed state tells whether it was already notified.
- Memory stays bounded: a receiver's queue is bounded, and a notification that does not fit
  is parked on the retry topic by the worker (``offer`` still succeeds), so a slow or dead
  receiver never holds up a partition. Only when parking fails too (Kafka trouble) does the
  story mark its partition blocked (the service pauses it), as does a partition with
  ``max_pending`` alerts waiting.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

import structlog

from policywatch.models import Alert
from policywatch.notifier.grouping import Grouper, StoryState
from policywatch.notifier.offsets import OffsetTracker
from policywatch.notifier.routing import Router
from policywatch.notifier.worker import Completion, Job
from policywatch.observability.metrics import Metrics

log = structlog.get_logger("policywatch.notifier")


class JobSink(Protocol):
    def offer(self, job: Job) -> bool: ...


class StateStore(Protocol):
    """Where delivered story state lives (the compacted changelog topic in production)."""

    def save(self, states: Sequence[StoryState]) -> None:
        """Persist durably before returning, or raise."""
        ...

    def load(self, partitions: set[int]) -> list[StoryState]:
        """The latest state of every story owned by ``partitions``."""
        ...

    def forget(self, keys: Sequence[str]) -> None:
        """Delete closed stories (tombstones, by ``StoryState.changelog_key``), or raise."""
        ...


class MemoryStateStore:
    """A fake state store for tests: a dict standing in for the compacted topic."""

    def __init__(self) -> None:
        self.states: dict[str, StoryState] = {}
        self.saves = 0

    def save(self, states: Sequence[StoryState]) -> None:
        self.saves += 1
        for state in states:
            self.states[state.changelog_key] = state

    def forget(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.states.pop(key, None)

    def load(self, partitions: set[int]) -> list[StoryState]:
        return [s for s in self.states.values() if s.partition in partitions]


class Pipeline:
    def __init__(
        self,
        router: Router,
        workers: Mapping[str, JobSink],
        store: StateStore,
        metrics: Metrics,
        *,
        max_sources: int = 20,
        max_pending: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._router = router
        self._workers = workers
        self._store = store
        self._metrics = metrics
        self._max_sources = max_sources
        self._max_pending = max_pending
        self._clock = clock
        self._groupers: dict[int, Grouper] = {}
        self._trackers: dict[int, OffsetTracker] = {}
        self._generation: dict[int, int] = {}
        self._completions: queue.Queue[Completion] = queue.Queue()
        self._unsaved: list[tuple[int, StoryState, list[int]]] = []
        self._blocked: set[int] = set()
        self._last_prune = clock()

    # -- partitions ------------------------------------------------------------------------

    def assign(self, partition: int, states: Iterable[StoryState]) -> int:
        """Take ownership of a partition, restoring its delivered stories; returns how many."""
        self._generation[partition] = self._generation.get(partition, 0) + 1
        grouper = Grouper(partition, self._max_sources)
        horizon = self._clock() - self._router.max_repeat_interval
        for state in states:
            if state.partition == partition and state.notified_at >= horizon:
                grouper.restore(state)
        self._groupers[partition] = grouper
        self._trackers[partition] = OffsetTracker()
        return len(grouper)

    def revoke(self, partition: int) -> None:
        """Forget a partition: late completions for it are ignored (its new owner redoes them)."""
        self._generation[partition] = self._generation.get(partition, 0) + 1
        self._groupers.pop(partition, None)
        self._trackers.pop(partition, None)
        self._blocked.discard(partition)
        self._unsaved = [u for u in self._unsaved if u[0] != partition]

    @property
    def partitions(self) -> set[int]:
        return set(self._groupers)

    # -- input -----------------------------------------------------------------------------

    def add(self, partition: int, offset: int, alert: Alert) -> int:
        """Route and group one alert; returns the number of notifications it now waits on."""
        grouper = self._groupers[partition]
        now = self._clock()
        waits = 0
        for match in self._router.route(alert):
            kind, waiting = grouper.fold(alert, offset, match, now)
            waits += waiting
            if kind == "grouped":
                self._metrics.notifications_grouped.inc()
            log.debug(
                "alert_grouped",
                kind=kind,
                alert_id=alert.alert_id,
                receiver=match.receiver,
                route=match.path,
            )
        self._trackers[partition].track(offset, waits)
        return waits

    def skip(self, partition: int, offset: int) -> None:
        """An offset handled outside the pipeline (e.g. an invalid alert, dead-lettered)."""
        self._trackers[partition].track(offset, 0)

    def complete(self, completion: Completion) -> None:
        """Called from worker threads."""
        self._completions.put(completion)

    # -- the clock -------------------------------------------------------------------------

    def tick(self) -> None:
        """Absorb finished deliveries, persist their state, dispatch the stories that are due."""
        self.absorb()
        now = self._clock()
        blocked: set[int] = set()
        for partition, grouper in self._groupers.items():
            generation = self._generation[partition]
            for story in grouper.due(now):
                notification = grouper.build(story)
                job = Job(notification, partition, generation, story.key)
                if self._workers[story.receiver].offer(job):
                    grouper.dispatched(story, notification, now)
                else:
                    blocked.add(partition)
            if self._trackers[partition].pending >= self._max_pending:
                blocked.add(partition)
        if blocked - self._blocked:
            log.info("partitions_blocked", partitions=sorted(blocked - self._blocked))
        self._blocked = blocked
        if now - self._last_prune > 60.0:
            self._last_prune = now
            closed: list[str] = []
            for grouper in self._groupers.values():
                closed += grouper.prune(now, self._router.max_repeat_interval)
            if closed:
                try:
                    self._store.forget(closed)
                except Exception as exc:  # a record left behind is only replayed and skipped
                    log.warning("state_tombstones_failed", error=str(exc), stories=len(closed))

    def absorb(self) -> None:
        """Take in finished deliveries and persist their state (also called at shutdown)."""
        while True:
            try:
                c = self._completions.get_nowait()
            except queue.Empty:
                break
            job = c.job
            if self._generation.get(job.partition) != job.generation:
                continue
            grouper = self._groupers.get(job.partition)
            done = grouper.complete(job.key, job.notification.id) if grouper else None
            if done is not None:
                self._unsaved.append((job.partition, *done))
        if not self._unsaved:
            return
        try:
            self._store.save([state for _, state, _ in self._unsaved])
        except Exception as exc:  # retried on the next tick; offsets wait meanwhile
            log.warning("state_save_failed", error=str(exc), stories=len(self._unsaved))
            return
        for partition, _, offsets in self._unsaved:
            tracker = self._trackers.get(partition)
            if tracker is not None:
                for offset in offsets:
                    tracker.ack(offset)
        self._unsaved = []

    # -- output ----------------------------------------------------------------------------

    def committable(self) -> dict[int, int]:
        """Per partition, the next offset to commit (everything before it is done)."""
        out: dict[int, int] = {}
        for partition, tracker in self._trackers.items():
            offset = tracker.committable()
            if offset is not None:
                out[partition] = offset
        return out

    def blocked(self) -> set[int]:
        """Partitions to pause until a notification can be queued or parked, or pending
        alerts complete."""
        return set(self._blocked)

    def pending(self) -> int:
        return sum(t.pending for t in self._trackers.values())

    def idle(self) -> bool:
        """Nothing waiting: every consumed alert is done."""
        return self.pending() == 0 and not self._unsaved
