"""A thin producer: send now, learn per record whether the broker acknowledged it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from policywatch.errors import KafkaAdapterError
from policywatch.kafka.config import common_kwargs
from policywatch.settings import KafkaSettings


@dataclass
class SendResult:
    """The outcome of one send, known after :meth:`Producer.flush`."""

    topic: str
    _future: Any

    def get(self, timeout: float = 30.0) -> tuple[int, int]:
        """(partition, offset) once acknowledged; raises KafkaAdapterError on failure."""
        try:
            meta = self._future.get(timeout=timeout)
        except KafkaError as exc:
            raise KafkaAdapterError(
                f"produce to {self.topic} failed: {exc}",
                topic=self.topic,
                retriable=bool(getattr(exc, "retriable", False)),
            ) from exc
        return int(meta.partition), int(meta.offset)

    def on_success(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` when the broker acknowledges the record (on the producer's I/O
        thread, or at once if it already has)."""
        self._future.add_callback(lambda _meta: callback())

    @property
    def failed(self) -> bool:
        return bool(self._future.is_done and self._future.failed())


class Producer:
    def __init__(self, settings: KafkaSettings, **overrides: Any) -> None:
        kwargs = common_kwargs(settings)
        kwargs.update(
            acks="all",
            linger_ms=settings.linger_ms,
            retries=5,
            max_in_flight_requests_per_connection=1,
            max_request_size=settings.max_request_size,
        )
        kwargs.update(overrides)
        try:
            self._producer = KafkaProducer(**kwargs)
        except KafkaError as exc:
            raise KafkaAdapterError(f"cannot create producer: {exc}", retriable=True) from exc

    def send(
        self,
        topic: str,
        value: bytes | None,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
        partition: int | None = None,
    ) -> SendResult:
        """``value`` None is a tombstone (compaction deletes the key); ``partition`` None
        leaves the choice to the key's hash."""
        self._track(topic)
        try:
            future = self._producer.send(
                topic, value=value, key=key, headers=list(headers), partition=partition
            )
        except KafkaError as exc:
            raise KafkaAdapterError(
                f"produce to {topic} failed: {exc}",
                topic=topic,
                retriable=bool(getattr(exc, "retriable", False)),
            ) from exc
        return SendResult(topic, future)

    def _track(self, topic: str) -> None:
        """Make the client's metadata refreshes ask for ``topic``, so its leaders stay known.

        kafka-python asks for a topic only after a send finds it missing from the metadata.
        Tansu answers a request for no topics with every topic, so the client learns the topics
        that exist when it starts without asking for them. The first send to a topic it does not
        know then triggers a refresh for that topic alone, and the answer replaces the
        metadata: the other topics lose their leaders. Their records already waiting in the
        client cannot be sent until a later send to the same topic asks for it again. Until
        then, every ``flush`` on the producer waits its full timeout. (Private attribute;
        skipped if the library changes it.)
        """
        sender: Any = getattr(self._producer, "_sender", None)
        add_topic = getattr(sender, "add_topic", None)
        if add_topic is not None:
            add_topic(topic)

    def partitions_for(self, topic: str) -> int:
        """How many partitions ``topic`` has (0 if it does not exist)."""
        try:
            return len(self._producer.partitions_for(topic) or ())
        except KafkaError as exc:
            raise KafkaAdapterError(
                f"no metadata for {topic}: {exc}", topic=topic, retriable=True
            ) from exc

    def flush(self, timeout: float | None = None) -> None:
        try:
            self._producer.flush(timeout=timeout)
        except KafkaError as exc:
            raise KafkaAdapterError(f"flush failed: {exc}", retriable=True) from exc

    def close(self, timeout: float | None = 10.0) -> None:
        self._producer.close(timeout=timeout)
