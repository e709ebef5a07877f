"""Topic creation and broker reachability."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from policywatch.errors import KafkaAdapterError
from policywatch.kafka.config import common_kwargs
from policywatch.settings import KafkaSettings


class _RedactPassword(logging.Filter):
    """kafka-python's admin client logs its whole configuration at DEBUG, SASL password and
    all: hide it, so that turning on debug logging does not write the credential out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = _redacted(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(a) for a in record.args)
        return True


def _redacted(value: Any) -> Any:
    if isinstance(value, dict) and value.get("sasl_plain_password") is not None:
        return {**value, "sasl_plain_password": "**********"}
    return value


def _admin_client(settings: KafkaSettings) -> KafkaAdminClient:
    logger = logging.getLogger("kafka.admin.client")
    if not any(isinstance(f, _RedactPassword) for f in logger.filters):
        logger.addFilter(_RedactPassword())
    return KafkaAdminClient(**common_kwargs(settings))


def wait_for_broker(settings: KafkaSettings, timeout: float = 30.0) -> None:
    """Block until the cluster answers a metadata request, or raise KafkaAdapterError."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin = _admin_client(settings)
        except KafkaError as exc:
            last = exc
            time.sleep(0.2)
            continue
        try:
            admin.list_topics()
            return
        except KafkaError as exc:
            last = exc
        finally:
            admin.close()
        time.sleep(0.2)
    raise KafkaAdapterError(
        f"Kafka at {settings.bootstrap_servers} did not answer within {timeout:.0f}s: {last}",
        retriable=True,
    )


def ensure_topics(
    settings: KafkaSettings,
    topics: Iterable[str],
    *,
    compacted: Iterable[str] = (),
    partitions: int | None = None,
) -> list[str]:
    """Create the topics that do not exist yet; returns the names it created."""
    compact = set(compacted)
    wanted = list(dict.fromkeys([*topics, *compact]))
    try:
        admin = _admin_client(settings)
    except KafkaError as exc:
        raise KafkaAdapterError(f"cannot reach Kafka admin API: {exc}", retriable=True) from exc
    try:
        existing = set(admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        new = [
            NewTopic(
                name=t,
                num_partitions=partitions or settings.topic_partitions,
                replication_factor=settings.topic_replication_factor,
                topic_configs={"cleanup.policy": "compact"} if t in compact else {},
            )
            for t in missing
        ]
        if new:
            # Another service may create it between list and create.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new)
        return missing
    except KafkaError as exc:
        raise KafkaAdapterError(f"topic creation failed: {exc}", retriable=True) from exc
    finally:
        admin.close()


def committed_offsets(settings: KafkaSettings, group_id: str) -> dict[tuple[str, int], int]:
    """The offsets ``group_id`` has committed, per (topic, partition)."""
    with OffsetReader(settings, group_id) as reader:
        return reader.read()


class OffsetReader:
    """Reads one group's committed offsets again and again over a single admin client.

    Opening a client costs milliseconds of CPU; a caller that polls (a benchmark watching a run
    finish) keeps one of these open instead of calling :func:`committed_offsets` each time.
    """

    def __init__(self, settings: KafkaSettings, group_id: str) -> None:
        self.group_id = group_id
        try:
            self._admin = _admin_client(settings)
        except KafkaError as exc:
            raise KafkaAdapterError(f"cannot reach Kafka admin API: {exc}", retriable=True) from exc

    def read(self) -> dict[tuple[str, int], int]:
        """The offsets the group has committed, per (topic, partition)."""
        try:
            offsets = self._admin.list_group_offsets(self.group_id).get(self.group_id, {})
        except KafkaError as exc:
            raise KafkaAdapterError(f"cannot read offsets of {self.group_id}: {exc}") from exc
        return {(tp.topic, tp.partition): int(meta.offset) for tp, meta in offsets.items()}

    def close(self) -> None:
        self._admin.close()

    def __enter__(self) -> OffsetReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
