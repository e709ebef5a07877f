"""The story-state changelog on the embedded broker: partition-aware keys and tombstones."""

from __future__ import annotations

import pytest

from policywatch.kafka import Producer
from policywatch.notifier.changelog import KafkaStateStore
from policywatch.settings import KafkaSettings, TopicSettings
from tools.harness import read_topic

from .helpers import make_alert
from .test_pipeline import _finish, _pipeline

pytestmark = pytest.mark.kafka


def test_equal_group_keys_of_two_partitions_survive_a_replay_and_tombstones_delete_them(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    route = {"receiver": "ops", "group_by": ["event_type"], "group_wait": 0}
    p, sinks, memory, _ = _pipeline(route)
    p.assign(0, [])
    p.assign(1, [])
    p.add(0, 0, make_alert(1, actor=("US", "United States")))
    p.add(1, 0, make_alert(2, actor=("FR", "France")))
    p.tick()
    _finish(p, sinks["ops"])
    states = list(memory.states.values())
    assert len({s.key for s in states}) == 1 and len(states) == 2

    producer = Producer(kafka_settings)
    try:
        store = KafkaStateStore(kafka_settings, topic_names.notifier_state, producer)
        store.save(states)
        for partition, actor in ((0, "US"), (1, "FR")):
            (state,) = store.load({partition})
            assert state.first_alert.actor.code == actor
        store.forget([states[0].changelog_key])
        assert [s.partition for s in store.load({0, 1})] == [states[1].partition]
    finally:
        producer.close()
    records = read_topic(kafka_settings, topic_names.notifier_state, expect=3)
    tombstones = [r for r in records if r.value is None]
    assert [r.key for r in tombstones] == [states[0].changelog_key.encode()]
