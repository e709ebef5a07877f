"""Section 1, the transport ceiling: bare kafka-python consuming the articles the detector reads.

This is the one module outside the Kafka adapter that imports ``kafka``, on purpose: the ceiling
is the library itself, without the adapter's ``Record`` copies or any service code. It runs as
its own process (``python -m tools.bench.transport``), like the detector, so both compete
with the broker for the same cores and their numbers compare.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from kafka import KafkaConsumer, TopicPartition

__all__ = ["ConsumeResult", "consume", "main"]


@dataclass(frozen=True)
class ConsumeResult:
    records: int  # timed: after the first batch
    bytes: int
    wall_seconds: float
    cpu_seconds: float
    total: int

    @property
    def per_second(self) -> float:
        return self.records / self.wall_seconds if self.wall_seconds > 0 else 0.0

    @property
    def per_cpu_second(self) -> float:
        return self.records / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def consume(
    bootstrap: str, topic: str, count: int, *, timeout: float = 120.0, **overrides: Any
) -> ConsumeResult:
    """Read ``count`` records of ``topic`` from the beginning; time the first to the last.

    The fetch settings are the adapter's (:class:`policywatch.kafka.Consumer`), so the ceiling
    is that of the configuration the detector runs with.
    """
    kwargs: dict[str, Any] = {
        "bootstrap_servers": [bootstrap],
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "fetch_max_wait_ms": 10,
        "max_poll_records": 500,
        "max_partition_fetch_bytes": 32 * 1024 * 1024,
        "fetch_max_bytes": 52_428_800,
    }
    kwargs.update(overrides)
    consumer = KafkaConsumer(**kwargs)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        # The clock starts when the first batch is in hand (connection and metadata excluded);
        # that batch is not counted, so the rate is records after the start over time after it.
        seen = size = timed = 0
        deadline = time.monotonic() + timeout
        first = last = cpu0 = 0.0
        while seen < count and time.monotonic() < deadline:
            batches = consumer.poll(timeout_ms=200)
            n = 0
            for records in batches.values():
                for r in records:
                    size += len(r.value)
                n += len(records)
            if n and not seen:
                first, cpu0 = time.perf_counter(), _cpu()
            elif n:
                timed += n
            seen += n
            last = time.perf_counter()
        cpu = _cpu() - cpu0
    finally:
        consumer.close()
    return ConsumeResult(
        records=timed, bytes=size, wall_seconds=last - first, cpu_seconds=cpu, total=seen
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.transport")
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    result = consume(args.bootstrap, args.topic, args.count, timeout=args.timeout)
    json.dump(asdict(result), sys.stdout)
    return 0 if result.total >= args.count else 1


if __name__ == "__main__":
    sys.exit(main())
