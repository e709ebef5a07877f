"""The producer adapter against the embedded broker."""

from __future__ import annotations

import uuid

import pytest

from policywatch.kafka import Producer, ensure_topics
from policywatch.settings import KafkaSettings

pytestmark = pytest.mark.kafka


def test_a_first_send_to_a_new_topic_does_not_strand_records_for_a_topic_known_from_the_start(
    kafka_settings: KafkaSettings,
) -> None:
    # The notifier's shared producer in miniature: the retry topic exists before the producer
    # starts, a Kafka receiver's topic is created after it. A notification parked while the
    # receiver's first send refreshes the metadata must still reach the retry topic.
    known, later = f"known-{uuid.uuid4().hex[:8]}", f"later-{uuid.uuid4().hex[:8]}"
    ensure_topics(kafka_settings, [known])
    # A long linger holds the first record in the client while the second send refreshes.
    producer = Producer(kafka_settings, linger_ms=10_000)
    try:
        ensure_topics(kafka_settings, [later])
        parked = producer.send(known, b"parked", key=b"ops")
        delivered = producer.send(later, b"delivered", key=b"critical")
        producer.flush(timeout=5)
        assert parked.get(timeout=1) is not None
        assert delivered.get(timeout=1) is not None
    finally:
        producer.close(timeout=1)
