"""Topics for one benchmark run, and loading them with synthetic articles."""

from __future__ import annotations

import time
import uuid

from policywatch.bench.corpus import CorpusGenerator
from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Producer, ensure_topics
from policywatch.settings import KafkaSettings, TopicSettings

__all__ = ["fresh_topics", "preload"]


def fresh_topics(kafka: KafkaSettings, label: str, partitions: int) -> TopicSettings:
    """Uniquely named topics, created with ``partitions`` partitions each."""
    suffix = f"{label}-{uuid.uuid4().hex[:8]}"
    topics = TopicSettings(
        articles=f"bench.articles.{suffix}",
        articles_dlq=f"bench.articles.dlq.{suffix}",
        alerts=f"bench.alerts.{suffix}",
        alerts_dlq=f"bench.alerts.dlq.{suffix}",
        notifier_state=f"bench.notifier.state.{suffix}",
    )
    ensure_topics(
        kafka,
        [topics.articles, topics.articles_dlq, topics.alerts, topics.alerts_dlq],
        partitions=partitions,
    )
    return topics


def preload(
    kafka: KafkaSettings, topic: str, corpus: CorpusGenerator, start: int, count: int
) -> float:
    """Produce articles ``start .. start+count-1`` and wait for every ack; returns seconds."""
    began = time.perf_counter()
    producer = Producer(kafka, linger_ms=20, batch_size=1_048_576)
    try:
        results = [
            producer.send(topic, value, key=str(start + i).encode())
            for i, value in enumerate(corpus.articles(start, count))
        ]
        producer.flush(timeout=120)
        failed = sum(1 for r in results if r.failed)
        if failed:
            raise KafkaAdapterError(f"{failed} of {count} benchmark articles were not produced")
    finally:
        producer.close()
    return time.perf_counter() - began
