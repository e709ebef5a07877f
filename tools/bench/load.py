"""Loading a benchmark run's topic with synthetic articles."""

from __future__ import annotations

import time

from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Producer
from policywatch.settings import KafkaSettings
from tools.bench.corpus import CorpusGenerator

__all__ = ["preload"]


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
