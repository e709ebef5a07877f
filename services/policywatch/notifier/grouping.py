"""Story grouping: many articles about one event become one notification, then updates.

A story is keyed by its receiver and the values of the route's ``group_by`` labels. Its first
alert opens it and starts ``group_wait``; alerts arriving meanwhile are folded in, so a burst is
one notification. After a notification, new articles are folded into a pending update sent no
sooner than ``group_interval`` after the previous one. A story quiet for ``repeat_interval``
(measured on ``detected_at``, so a replay groups exactly as the live run did) is closed: the next
alert opens a new story.

What was *delivered* is the durable state (:class:`StoryState`, written to the changelog after
each notification completes); what is pending is rebuilt by re-consuming uncommitted alerts.
One :class:`Grouper` holds the stories of one ``alerts`` partition.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policywatch.models import Alert, AlertArticle
from policywatch.notifier.notification import Notification, make_story_id, notification_id
from policywatch.notifier.routing import RouteMatch, alert_labels

#: Article ids remembered per story for de-duplication (beyond it, corroboration still counts).
MAX_REMEMBERED_ARTICLES = 1_000

FoldKind = Literal["new", "grouped", "duplicate"]


class MessageRef(BaseModel):
    """Where a receiver that edits its messages (``slack_bot``) posted the story."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: str = Field(description="Channel id the message is in")
    ts: str = Field(description="Slack's message timestamp: its id, and the thread_ts of replies")


class StoryState(BaseModel):
    """A story as last delivered: the value of the compacted changelog record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    key: str
    partition: int = Field(ge=0, description="The alerts partition that owns the story")
    story_id: str
    receiver: str
    group: dict[str, str]
    first_alert: Alert
    sequence: int = Field(ge=1)
    corroboration: int = Field(ge=1)
    article_ids: tuple[str, ...]
    sources: tuple[AlertArticle, ...]
    max_confidence: float
    first_detected_at: datetime
    last_detected_at: datetime
    notified_at: float = Field(description="Unix time the notification was dispatched")
    message: MessageRef | None = Field(
        None, description="The story's message, for receivers that edit it (slack_bot)"
    )

    @property
    def changelog_key(self) -> str:
        """The record key in the changelog: the owning partition and the group key, since
        group keys are unique only within a partition (a ``group_by`` coarser than the alerts'
        ``story_key`` puts equal group keys on several partitions)."""
        return changelog_key(self.partition, self.key)


def changelog_key(partition: int, key: str) -> str:
    return f"p{partition}/{key}"


@dataclass
class InFlight:
    notification: Notification
    state: StoryState
    offsets: list[int]


@dataclass
class Story:
    key: str
    partition: int
    story_id: str
    receiver: str
    group: dict[str, str]
    first_alert: Alert
    route: RouteMatch | None
    corroboration: int = 0
    article_ids: OrderedDict[str, None] = field(default_factory=OrderedDict)
    sources: list[AlertArticle] = field(default_factory=list)
    max_confidence: float = 0.0
    first_detected_at: datetime | None = None
    last_detected_at: datetime | None = None
    sequence: int = 0
    notified_at: float | None = None
    last_seen: float = 0.0
    dirty: bool = False
    due_at: float = 0.0
    waiting: list[int] = field(default_factory=list)
    in_flight: InFlight | None = None

    def add(self, alert: Alert, max_sources: int) -> None:
        self.article_ids[alert.article.id] = None
        if len(self.article_ids) > MAX_REMEMBERED_ARTICLES:
            self.article_ids.popitem(last=False)
        self.corroboration += 1
        if len(self.sources) < max_sources:
            self.sources.append(alert.article)
        self.max_confidence = max(self.max_confidence, alert.confidence)
        when = alert.detected_at
        if self.first_detected_at is None or when < self.first_detected_at:
            self.first_detected_at = when
        if self.last_detected_at is None or when > self.last_detected_at:
            self.last_detected_at = when

    @property
    def idle(self) -> bool:
        return not self.dirty and self.in_flight is None

    @classmethod
    def restore(cls, state: StoryState) -> Story:
        return cls(
            key=state.key,
            partition=state.partition,
            story_id=state.story_id,
            receiver=state.receiver,
            group=dict(state.group),
            first_alert=state.first_alert,
            route=None,
            corroboration=state.corroboration,
            article_ids=OrderedDict.fromkeys(state.article_ids),
            sources=list(state.sources),
            max_confidence=state.max_confidence,
            first_detected_at=state.first_detected_at,
            last_detected_at=state.last_detected_at,
            sequence=state.sequence,
            notified_at=state.notified_at,
            last_seen=state.notified_at,
        )


class Grouper:
    """The stories of one partition; driven by the service's loop (single-threaded)."""

    def __init__(self, partition: int, max_sources: int) -> None:
        self.partition = partition
        self._max_sources = max_sources
        self._stories: dict[str, Story] = {}

    def __len__(self) -> int:
        return len(self._stories)

    def stories(self) -> list[Story]:
        return list(self._stories.values())

    def restore(self, state: StoryState) -> None:
        self._stories[state.key] = Story.restore(state)

    def fold(
        self, alert: Alert, offset: int, route: RouteMatch, now: float
    ) -> tuple[FoldKind, bool]:
        """Add one alert to its story; returns the kind and whether ``offset`` now waits on it."""
        labels = alert_labels(alert)
        key = route.group_key(labels)
        story = self._stories.get(key)
        if story is not None and story.idle and story.last_detected_at is not None:
            quiet = (alert.detected_at - story.last_detected_at).total_seconds()
            if quiet > route.repeat_interval:
                story = None
        if story is None:
            story = Story(
                key=key,
                partition=self.partition,
                story_id=make_story_id(key, alert.alert_id),
                receiver=route.receiver,
                group=route.group_labels(labels),
                first_alert=alert,
                route=route,
            )
            story.add(alert, self._max_sources)
            story.dirty, story.due_at, story.last_seen = True, now + route.group_wait, now
            story.waiting.append(offset)
            self._stories[key] = story
            return "new", True
        story.route, story.last_seen = route, now
        if alert.article.id in story.article_ids:
            if story.dirty:
                story.waiting.append(offset)
                return "duplicate", True
            if story.in_flight is not None:
                story.in_flight.offsets.append(offset)
                return "duplicate", True
            return "duplicate", False
        story.add(alert, self._max_sources)
        if not story.dirty:
            story.dirty = True
            if story.notified_at is None:
                story.due_at = now + route.group_wait
            else:
                story.due_at = max(now, story.notified_at + route.group_interval)
        story.waiting.append(offset)
        return "grouped", True

    def due(self, now: float) -> list[Story]:
        return [
            s for s in self._stories.values() if s.dirty and s.in_flight is None and s.due_at <= now
        ]

    def next_due(self) -> float | None:
        times = [s.due_at for s in self._stories.values() if s.dirty and s.in_flight is None]
        return min(times) if times else None

    def build(self, story: Story) -> Notification:
        """The notification the story would send now (nothing changes until :meth:`dispatched`)."""
        assert story.first_detected_at is not None and story.last_detected_at is not None
        sequence = story.sequence + 1
        return Notification(
            id=notification_id(story.story_id, sequence),
            story_id=story.story_id,
            sequence=sequence,
            kind="new" if sequence == 1 else "update",
            receiver=story.receiver,
            group=story.group,
            alert=story.first_alert,
            corroboration=story.corroboration,
            sources=tuple(story.sources),
            max_confidence=story.max_confidence,
            first_detected_at=story.first_detected_at,
            last_detected_at=story.last_detected_at,
        )

    def dispatched(self, story: Story, notification: Notification, now: float) -> None:
        state = StoryState(
            key=story.key,
            partition=story.partition,
            story_id=story.story_id,
            receiver=story.receiver,
            group=story.group,
            first_alert=story.first_alert,
            sequence=notification.sequence,
            corroboration=notification.corroboration,
            article_ids=tuple(story.article_ids),
            sources=notification.sources,
            max_confidence=notification.max_confidence,
            first_detected_at=notification.first_detected_at,
            last_detected_at=notification.last_detected_at,
            notified_at=now,
        )
        story.in_flight = InFlight(notification, state, story.waiting)
        story.waiting = []
        story.sequence = notification.sequence
        story.notified_at = now
        story.dirty = False

    def complete(self, key: str, notification_id: str) -> tuple[StoryState, list[int]] | None:
        """A dispatched notification reached its end (sent, parked or dead-lettered)."""
        story = self._stories.get(key)
        if story is None or story.in_flight is None:
            return None
        if story.in_flight.notification.id != notification_id:
            return None
        done, story.in_flight = story.in_flight, None
        if story.dirty and story.route is not None and story.notified_at is not None:
            story.due_at = max(story.due_at, story.notified_at + story.route.group_interval)
        return done.state, done.offsets

    def prune(self, now: float, idle_for: float) -> list[str]:
        """Forget idle stories not seen for ``idle_for`` seconds: they are closed. Returns the
        changelog keys of those that were notified, whose records can now be deleted."""
        old = [k for k, s in self._stories.items() if s.idle and now - s.last_seen > idle_for]
        closed = [changelog_key(self.partition, k) for k in old if self._stories[k].sequence > 0]
        for key in old:
            del self._stories[key]
        return closed
