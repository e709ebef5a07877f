"""The Kafka seam: what a service's loop needs from a consumer and a producer.

The real adapter (:class:`~policywatch.kafka.Consumer`, :class:`~policywatch.kafka.Producer`,
built by :class:`~policywatch.kafka.KafkaClients`) and the in-memory fakes of
:mod:`policywatch.kafka.memory` both satisfy these Protocols, so a loop written against them
runs on either: the real broker in production and integration tests, a dict of lists in unit
tests. Failures surface as :class:`~policywatch.errors.KafkaAdapterError` on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal, Protocol

from policywatch.kafka.records import Record

TP = tuple[str, int]
RebalanceCallback = Callable[[set[TP]], None]
OffsetReset = Literal["earliest", "latest"]


class SendResultProtocol(Protocol):
    """One produced record, acknowledged by the broker or not."""

    def get(self, timeout: float = 30.0) -> tuple[int, int]:
        """(partition, offset) once acknowledged; raises KafkaAdapterError on failure."""
        ...

    def on_success(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` when the broker acknowledges the record (perhaps on another
        thread, or at once if it already has)."""
        ...


class ProducerProtocol(Protocol):
    def send(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> SendResultProtocol: ...

    def flush(self, timeout: float | None = None) -> None:
        """Return once every send so far is acknowledged or failed (or ``timeout`` passed)."""
        ...

    def close(self, timeout: float | None = 10.0) -> None: ...


class ConsumerProtocol(Protocol):
    def poll(self, timeout_ms: int = 200, max_records: int | None = None) -> list[Record]: ...

    def commit(self, offsets: Mapping[TP, int], *, wait: bool = True) -> None:
        """Commit, per partition, the offset of the next record to read."""
        ...

    def seek(self, topic: str, partition: int, offset: int) -> None: ...

    def connected(self) -> bool: ...

    def assignment(self) -> set[TP]: ...

    def pause(self, partitions: Iterable[TP]) -> None: ...

    def resume(self, partitions: Iterable[TP]) -> None: ...

    def lag(self, *, ask_broker: bool = True) -> dict[TP, int]:
        """Records between the position and the high-water mark, per assigned partition."""
        ...

    def close(self) -> None: ...


class ClientsProtocol(Protocol):
    """Builds a service's consumer and producer. A service calls it again after a failure, so
    creating a client may raise KafkaAdapterError while the cluster is unreachable."""

    def consumer(
        self,
        topics: Sequence[str],
        group_id: str | None,
        *,
        on_assigned: RebalanceCallback | None = None,
        on_revoked: RebalanceCallback | None = None,
        auto_offset_reset: OffsetReset = "earliest",
    ) -> ConsumerProtocol:
        """``auto_offset_reset``: where a group with no committed offset starts."""
        ...

    def producer(self, *, linger_ms: int | None = None) -> ProducerProtocol:
        """``linger_ms`` overrides ``kafka.linger_ms`` (0: a service that batches its own
        sends wants them sent at once)."""
        ...
