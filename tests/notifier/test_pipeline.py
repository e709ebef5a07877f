"""Story grouping and offset acknowledgement, driven by a manual clock (no broker, no threads)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry

from policywatch.notifier.pipeline import MemoryStateStore, Pipeline
from policywatch.notifier.routing import Router
from policywatch.notifier.worker import Completion, Job
from policywatch.observability.metrics import Metrics
from policywatch.settings.notifier import Route

from .helpers import make_alert


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Sink:
    """A receiver queue with a capacity; completes jobs only when told."""

    def __init__(self, capacity: int = 100) -> None:
        self.capacity = capacity
        self.jobs: list[Job] = []

    def offer(self, job: Job) -> bool:
        if len(self.jobs) >= self.capacity:
            return False
        self.jobs.append(job)
        return True


def _pipeline(
    route: dict[str, Any] | None = None,
    store: MemoryStateStore | None = None,
    clock: Clock | None = None,
    registry: CollectorRegistry | None = None,
    **kwargs: Any,
) -> tuple[Pipeline, dict[str, Sink], MemoryStateStore, Clock]:
    tree = route or {"receiver": "ops", "group_wait": 10, "group_interval": 60}
    sinks = {"ops": Sink(), "analysts": Sink()}
    store = store if store is not None else MemoryStateStore()
    clock = clock or Clock()
    metrics = Metrics.create(registry or CollectorRegistry())
    p = Pipeline(Router(Route.model_validate(tree)), sinks, store, metrics, clock=clock, **kwargs)
    return p, sinks, store, clock


def _finish(p: Pipeline, sink: Sink) -> None:
    for job in sink.jobs:
        p.complete(Completion(job, job.notification.receiver, "sent"))
    sink.jobs.clear()
    p.tick()


def test_a_burst_within_group_wait_is_one_notification_with_full_corroboration() -> None:
    registry = CollectorRegistry()
    p, sinks, _, clock = _pipeline(registry=registry)
    p.assign(0, [])
    for i in range(5):
        p.add(0, i, make_alert(i + 1, minutes=i))
        clock.now += 1
        p.tick()
    assert sinks["ops"].jobs == []
    clock.now += 6
    p.tick()
    (job,) = sinks["ops"].jobs
    n = job.notification
    assert (n.kind, n.sequence, n.corroboration) == ("new", 1, 5)
    assert [s.source for s in n.sources] == [f"Outlet {i}" for i in range(1, 6)]
    assert n.alert.article.id == "art-weapons_restriction_lifted-US-1"  # the first article
    assert registry.get_sample_value("policywatch_notifications_grouped_total") == 4.0


def test_offsets_commit_only_after_delivery_and_state_save() -> None:
    p, sinks, store, clock = _pipeline()
    p.assign(0, [])
    p.add(0, 0, make_alert(1))
    assert p.committable() == {0: 0}
    clock.now += 10
    p.tick()
    assert p.committable() == {0: 0}  # dispatched, not yet delivered
    assert store.states == {}
    _finish(p, sinks["ops"])
    assert p.committable() == {0: 1}
    (state,) = store.states.values()
    assert (state.sequence, state.corroboration, state.partition) == (1, 1, 0)


def test_later_articles_become_an_update_after_group_interval() -> None:
    p, sinks, _, clock = _pipeline()
    p.assign(0, [])
    p.add(0, 0, make_alert(1))
    clock.now += 10
    p.tick()
    first = sinks["ops"].jobs[0].notification
    _finish(p, sinks["ops"])
    p.add(0, 1, make_alert(2, minutes=5))
    p.add(0, 2, make_alert(3, minutes=6))
    clock.now += 30
    p.tick()
    assert sinks["ops"].jobs == [] and p.committable() == {0: 1}
    clock.now += 31
    p.tick()
    (job,) = sinks["ops"].jobs
    update = job.notification
    assert (update.kind, update.sequence, update.corroboration) == ("update", 2, 3)
    assert update.story_id == first.story_id and update.id != first.id
    _finish(p, sinks["ops"])
    assert p.committable() == {0: 3}


def test_a_repeated_article_is_not_news() -> None:
    p, sinks, _, clock = _pipeline()
    p.assign(0, [])
    p.add(0, 0, make_alert(1))
    clock.now += 10
    p.tick()
    _finish(p, sinks["ops"])
    assert p.add(0, 1, make_alert(1)) == 0  # already notified: done at once
    clock.now += 120
    p.tick()
    assert sinks["ops"].jobs == []
    assert p.committable() == {0: 2}


def test_a_restart_from_saved_state_does_not_notify_again() -> None:
    p, sinks, store, clock = _pipeline()
    p.assign(0, [])
    for i in range(3):
        p.add(0, i, make_alert(i + 1))
    clock.now += 10
    p.tick()
    _finish(p, sinks["ops"])
    first = store.states

    again, sinks2, _, _ = _pipeline(store=store, clock=clock)
    assert again.assign(0, store.load({0})) == 1
    for i in range(3):  # offsets never committed: all re-read
        again.add(0, i, make_alert(i + 1))
    clock.now += 100
    again.tick()
    assert sinks2["ops"].jobs == []
    assert again.committable() == {0: 3}
    again.add(0, 3, make_alert(4))
    clock.now += 100
    again.tick()
    (job,) = sinks2["ops"].jobs
    assert (job.notification.sequence, job.notification.corroboration) == (2, 4)
    assert job.notification.story_id == next(iter(first.values())).story_id


def test_a_story_quiet_for_repeat_interval_opens_a_new_story() -> None:
    p, sinks, _, clock = _pipeline({"receiver": "ops", "group_wait": 0, "repeat_interval": "1h"})
    p.assign(0, [])
    p.add(0, 0, make_alert(1, minutes=0))
    p.tick()
    _finish(p, sinks["ops"])
    p.add(0, 1, make_alert(2, minutes=61))  # detected 61 minutes later: a new story
    clock.now += 1
    p.tick()
    (job,) = sinks["ops"].jobs
    assert (job.notification.kind, job.notification.corroboration) == ("new", 1)


def test_different_events_are_different_stories() -> None:
    p, sinks, _, clock = _pipeline()
    p.assign(0, [])
    p.add(0, 0, make_alert(1))
    p.add(0, 1, make_alert(2, event_type="sanctions_imposed"))
    p.add(0, 2, make_alert(3, instruments=("Storm Shadow",)))
    clock.now += 10
    p.tick()
    assert len({j.notification.story_id for j in sinks["ops"].jobs}) == 3


def test_an_alert_waits_for_every_receiver_it_is_routed_to() -> None:
    tree = {
        "receiver": "ops",
        "group_wait": 0,
        "routes": [
            {"match": {"actor": "US"}, "receiver": "analysts", "continue": True},
            {"receiver": "ops"},
        ],
    }
    p, sinks, _, _ = _pipeline(tree)
    p.assign(0, [])
    assert p.add(0, 0, make_alert(1)) == 2
    p.tick()
    _finish(p, sinks["analysts"])
    assert p.committable() == {0: 0}
    _finish(p, sinks["ops"])
    assert p.committable() == {0: 1}


def test_commits_stop_at_the_first_unfinished_offset() -> None:
    p, sinks, _, _ = _pipeline({"receiver": "ops", "group_wait": 0})
    p.assign(0, [])
    p.add(0, 0, make_alert(1))
    p.add(0, 1, make_alert(2, event_type="sanctions_imposed"))
    p.tick()
    first, second = sinks["ops"].jobs
    p.complete(Completion(second, "ops", "sent"))
    p.tick()
    assert p.committable() == {0: 0}
    p.complete(Completion(first, "ops", "dead_lettered", "retries_exhausted"))
    p.tick()
    assert p.committable() == {0: 2}


def test_a_full_receiver_queue_blocks_only_its_partition() -> None:
    p, sinks, _, _ = _pipeline({"receiver": "ops", "group_wait": 0})
    sinks["ops"].capacity = 1
    p.assign(0, [])
    p.assign(1, [])
    p.add(0, 0, make_alert(1))
    p.add(0, 1, make_alert(2, event_type="sanctions_imposed"))
    p.tick()
    assert p.blocked() == {0}
    _finish(p, sinks["ops"])
    assert len(sinks["ops"].jobs) == 1  # the waiting story went out once there was room
    p.tick()
    assert p.blocked() == set()


def test_too_many_pending_alerts_block_the_partition() -> None:
    p, _, _, _ = _pipeline(max_pending=3)
    p.assign(0, [])
    for i in range(3):
        p.add(0, i, make_alert(i + 1, event_type="sanctions_imposed"))
    p.tick()
    assert p.blocked() == {0}


def test_completions_from_before_a_rebalance_are_ignored() -> None:
    p, sinks, store, _ = _pipeline({"receiver": "ops", "group_wait": 0})
    p.assign(0, [])
    p.add(0, 0, make_alert(1))
    p.tick()
    stale = sinks["ops"].jobs.pop()
    p.revoke(0)
    p.assign(0, [])
    p.complete(Completion(stale, "ops", "sent"))
    p.tick()
    assert store.states == {}
    assert p.committable() == {}


def test_a_failed_state_save_holds_the_offsets_until_it_succeeds() -> None:
    class Flaky(MemoryStateStore):
        fail = True

        def save(self, states: Any) -> None:
            if self.fail:
                raise OSError("broker down")
            super().save(states)

    store = Flaky()
    p, sinks, _, _ = _pipeline({"receiver": "ops", "group_wait": 0}, store=store)
    p.assign(0, [])
    p.add(0, 0, make_alert(1))
    p.tick()
    _finish(p, sinks["ops"])
    assert p.committable() == {0: 0}
    store.fail = False
    p.tick()
    assert p.committable() == {0: 1}


def test_equal_group_keys_on_two_partitions_keep_separate_state() -> None:
    """group_by [event_type] is coarser than the alerts' key: two partitions can hold stories
    with the same group key, and each must restore its own."""
    route = {"receiver": "ops", "group_by": ["event_type"], "group_wait": 0}
    p, sinks, store, _ = _pipeline(route)
    p.assign(0, [])
    p.assign(1, [])
    p.add(0, 0, make_alert(1, actor=("US", "United States")))
    p.add(1, 0, make_alert(2, actor=("FR", "France")))
    p.tick()
    _finish(p, sinks["ops"])
    assert len(store.states) == 2
    for partition, actor in ((0, "US"), (1, "FR")):
        (state,) = store.load({partition})
        assert state.first_alert.actor.code == actor


def test_a_closed_story_leaves_a_tombstone_so_the_changelog_stays_bounded() -> None:
    p, sinks, store, clock = _pipeline(
        {"receiver": "ops", "group_wait": 0, "repeat_interval": "1h"}
    )
    p.assign(0, [])
    p.add(0, 0, make_alert(1))
    p.tick()
    _finish(p, sinks["ops"])
    assert len(store.states) == 1
    clock.now += 30 * 60
    p.tick()
    assert len(store.states) == 1  # still open
    clock.now += 31 * 60
    p.tick()
    assert store.states == {}
