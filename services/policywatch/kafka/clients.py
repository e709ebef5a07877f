"""The real clients behind :class:`~policywatch.kafka.protocols.ClientsProtocol`."""

from __future__ import annotations

from collections.abc import Sequence

from policywatch.kafka.consumer import Consumer
from policywatch.kafka.producer import Producer
from policywatch.kafka.protocols import OffsetReset, RebalanceCallback
from policywatch.settings import KafkaSettings


class KafkaClients:
    """Consumers and producers on the cluster ``settings`` describe."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.settings = settings

    def consumer(
        self,
        topics: Sequence[str],
        group_id: str | None,
        *,
        on_assigned: RebalanceCallback | None = None,
        on_revoked: RebalanceCallback | None = None,
        auto_offset_reset: OffsetReset = "earliest",
    ) -> Consumer:
        return Consumer(
            self.settings,
            topics,
            group_id,
            on_assigned=on_assigned,
            on_revoked=on_revoked,
            auto_offset_reset=auto_offset_reset,
        )

    def producer(self, *, linger_ms: int | None = None) -> Producer:
        if linger_ms is None:
            return Producer(self.settings)
        return Producer(self.settings, linger_ms=linger_ms)
