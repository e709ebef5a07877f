"""Small helpers for tests against the real broker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from policywatch.kafka import Consumer, Producer, Record
from policywatch.settings import KafkaSettings


def produce(settings: KafkaSettings, topic: str, values: list[bytes]) -> None:
    producer = Producer(settings)
    results = [producer.send(topic, v, key=str(i).encode()) for i, v in enumerate(values)]
    producer.flush()
    for r in results:
        r.get()
    producer.close()


def read_topic(
    settings: KafkaSettings, topic: str, *, expect: int, timeout: float = 30.0
) -> list[Record]:
    """Read a topic from the beginning until ``expect`` records arrived or ``timeout`` passed."""
    consumer = Consumer(settings, [topic], None)
    records: list[Record] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expect and time.monotonic() < deadline:
            records.extend(consumer.poll(timeout_ms=200))
        # A short grace poll, so a test that expects N also sees an unexpected N+1.
        records.extend(consumer.poll(timeout_ms=300))
    finally:
        consumer.close()
    return records


@contextmanager
def running(target: object) -> Iterator[threading.Event]:
    """Run ``target.run(stop)`` in a thread for the duration of the block."""
    stop = threading.Event()
    thread = threading.Thread(target=target.run, args=(stop,), daemon=True)  # type: ignore[attr-defined]
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=30)
        if thread.is_alive():
            raise AssertionError("service did not stop within 30 s")
