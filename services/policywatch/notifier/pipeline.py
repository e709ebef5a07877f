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
from datetime import UTC, datetime
from typing import Literal, Protocol

import structlog

from policywatch.models import Alert
from policywatch.notifier.grouping import Grouper, Story, StoryState
from policywatch.notifier.inhibition import Inhibitor, StoryView
from policywatch.notifier.notification import Notification
from policywatch.notifier.offsets import OffsetTracker
from policywatch.notifier.routing import Router, alert_labels
from policywatch.notifier.silences import SilenceBook
from policywatch.notifier.story_messages import StoryMessages
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
        silences: SilenceBook | None = None,
        inhibitor: Inhibitor | None = None,
        messages: StoryMessages | None = None,
    ) -> None:
        self._router = router
        self._silences = silences
        self._inhibitor = inhibitor
        self._messages = messages
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
                if state.message is not None and self._messages is not None:
                    self._messages.remember(state.story_id, state.message)
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
                if self._mute_if_muted(grouper, story, notification, now):
                    continue
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

    def _with_message(self, state: StoryState) -> StoryState:
        """The state with the story's message, so a restart keeps editing the same one."""
        ref = self._messages.get(state.story_id) if self._messages is not None else None
        return state if ref is None else state.model_copy(update={"message": ref})

    def reconfigure(self, router: Router, inhibitor: Inhibitor | None) -> None:
        """New routing and inhibit rules for the alerts consumed from now on (SIGHUP)."""
        self._router = router
        self._inhibitor = inhibitor

    # -- muting: silences and inhibition ---------------------------------------------------

    def _muted(self, story: Story) -> tuple[Literal["silenced", "inhibited"], str] | None:
        labels = alert_labels(story.first_alert)
        if self._silences is not None:
            silence = self._silences.silencing(labels, datetime.fromtimestamp(self._clock(), UTC))
            if silence is not None:
                return "silenced", silence.id
        inhibitor = self._inhibitor
        if inhibitor and inhibitor.may_inhibit(labels):
            views = (
                view
                for grouper in self._groupers.values()
                for other in grouper.stories()
                if (view := self._view(other)) is not None
            )
            target = self._view(story, labels)
            hit = inhibitor.inhibiting(target, views) if target is not None else None
            if hit is not None:
                return "inhibited", f"inhibit_rules.{hit[0]} by story {hit[1]}"
        return None

    def _view(self, story: Story, labels: dict[str, str] | None = None) -> StoryView | None:
        if story.first_detected_at is None or story.last_detected_at is None:
            return None
        window = story.route.repeat_interval if story.route else self._router.max_repeat_interval
        return StoryView(
            key=story.key,
            labels=labels if labels is not None else alert_labels(story.first_alert),
            first_detected_at=story.first_detected_at,
            last_detected_at=story.last_detected_at,
            window=window,
        )

    def _mute_if_muted(
        self, grouper: Grouper, story: Story, notification: Notification, now: float
    ) -> bool:
        """Not sent, but the story advances as if it were: no "new" notification afterwards."""
        muted = self._muted(story)
        if muted is None:
            return False
        reason, why = muted
        grouper.dispatched(story, notification, now)
        done = grouper.complete(story.key, notification.id)
        if done is not None:
            state, offsets = done
            self._unsaved.append((grouper.partition, self._with_message(state), offsets))
        if reason == "silenced":
            self._metrics.notifications_silenced.labels(story.receiver).inc()
            event = "notification_silenced"
        else:
            self._metrics.notifications_inhibited.labels(story.receiver).inc()
            event = "notification_inhibited"
        log.info(
            event,
            receiver=story.receiver,
            notification_id=notification.id,
            story_id=story.story_id,
            by=why,
        )
        return True

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
                state, offsets = done
                self._unsaved.append((job.partition, self._with_message(state), offsets))
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
