"""Silences and inhibition in the pipeline, driven by a manual clock (no broker, no threads)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from policywatch.models.silence import Silence
from policywatch.notifier.inhibition import Inhibitor
from policywatch.notifier.silences import SilenceBook
from policywatch.settings.notifier import InhibitRule

from .helpers import make_alert
from .test_pipeline import _finish, _pipeline

IMPOSED = "sanctions_imposed"
LIFTED = "sanctions_lifted"
RU = ("RU", "Russia")


def _silence(book: SilenceBook, now: float, *matchers: str, hours: float = 1.0) -> Silence:
    silence = Silence.create(
        matchers,
        timedelta(hours=hours),
        comment="test",
        created_by="tester",
        now=datetime.fromtimestamp(now, UTC),
    )
    book.put(silence)
    return silence


def test_a_silenced_story_is_not_sent_but_counted_and_its_state_advances() -> None:
    registry = CollectorRegistry()
    book = SilenceBook()
    p, sinks, store, clock = _pipeline(registry=registry, silences=book)
    _silence(book, clock.now, f'event_type="{IMPOSED}"')
    p.assign(0, [])
    p.add(0, 0, make_alert(1, event_type=IMPOSED, target=RU))
    p.add(0, 1, make_alert(1, target=RU))  # another event type: not silenced
    clock.now += 10
    p.tick()
    p.tick()  # the muted story's state is saved on the next tick
    assert [j.notification.alert.event_type for j in sinks["ops"].jobs] == [
        "weapons_restriction_lifted"
    ]
    silenced = registry.get_sample_value(
        "policywatch_notifications_silenced_total", {"receiver": "ops"}
    )
    assert silenced == 1.0
    (state,) = [s for s in store.states.values() if s.first_alert.event_type == IMPOSED]
    assert state.sequence == 1
    _finish(p, sinks["ops"])
    assert p.committable() == {0: 2}


def test_after_the_silence_ends_a_silenced_story_updates_rather_than_starting_afresh() -> None:
    book = SilenceBook()
    p, sinks, _, clock = _pipeline(silences=book)
    _silence(book, clock.now, f'event_type="{IMPOSED}"', hours=0.01)  # 36 s
    p.assign(0, [])
    p.add(0, 0, make_alert(1, event_type=IMPOSED, target=RU))
    clock.now += 10
    p.tick()
    assert sinks["ops"].jobs == []
    clock.now += 60
    p.add(0, 1, make_alert(2, event_type=IMPOSED, target=RU, minutes=1))
    clock.now += 60
    p.tick()
    (job,) = sinks["ops"].jobs
    assert (job.notification.kind, job.notification.sequence) == ("update", 2)
    assert job.notification.corroboration == 2


def test_a_silence_matching_other_labels_mutes_nothing() -> None:
    book = SilenceBook()
    p, sinks, _, clock = _pipeline(silences=book)
    _silence(book, clock.now, f'event_type="{IMPOSED}"', 'actor="EU"')
    p.assign(0, [])
    p.add(0, 0, make_alert(1, event_type=IMPOSED, target=RU))
    clock.now += 10
    p.tick()
    assert len(sinks["ops"].jobs) == 1


def _inhibitor() -> Inhibitor:
    return Inhibitor(
        [
            InhibitRule(
                source_matchers=(f'event_type="{LIFTED}"',),
                target_matchers=(f'event_type="{IMPOSED}"',),
                equal=("actor", "target"),
            )
        ]
    )


def test_an_open_source_story_inhibits_the_target_story_of_the_same_pair() -> None:
    registry = CollectorRegistry()
    p, sinks, _, clock = _pipeline(registry=registry, inhibitor=_inhibitor())
    p.assign(0, [])
    p.assign(1, [])
    p.add(0, 0, make_alert(1, event_type=LIFTED, target=RU))
    p.add(1, 0, make_alert(1, event_type=IMPOSED, target=RU, minutes=1))
    # Same event type, another pair: not inhibited.
    p.add(1, 1, make_alert(1, event_type=IMPOSED, target=("IR", "Iran"), minutes=1))
    clock.now += 10
    p.tick()
    sent = sorted(
        (j.notification.alert.event_type, j.notification.group["target"]) for j in sinks["ops"].jobs
    )
    assert sent == [(IMPOSED, "IR"), (LIFTED, "RU")]
    inhibited = registry.get_sample_value(
        "policywatch_notifications_inhibited_total", {"receiver": "ops"}
    )
    assert inhibited == 1.0


def test_a_source_story_past_its_window_no_longer_inhibits() -> None:
    route = {"receiver": "ops", "group_wait": 10, "repeat_interval": "1h"}
    p, sinks, _, clock = _pipeline(route=route, inhibitor=_inhibitor())
    p.assign(0, [])
    p.add(0, 0, make_alert(1, event_type=LIFTED, target=RU))
    p.add(0, 1, make_alert(1, event_type=IMPOSED, target=RU, minutes=61))
    clock.now += 10
    p.tick()
    assert len(sinks["ops"].jobs) == 2


def test_a_story_matching_source_and_target_does_not_inhibit_itself() -> None:
    rule = InhibitRule(
        source_matchers=('actor="US"',), target_matchers=('actor="US"',), equal=("actor",)
    )
    p, sinks, _, clock = _pipeline(inhibitor=Inhibitor([rule]))
    p.assign(0, [])
    p.add(0, 0, make_alert(1))
    clock.now += 10
    p.tick()
    assert len(sinks["ops"].jobs) == 1
