"""The Kafka adapter: the only package that imports ``kafka``.

Services see :class:`Record`, :class:`Consumer`, :class:`Producer` and :func:`ensure_topics`;
library exceptions are translated to :class:`~policywatch.errors.KafkaAdapterError` here. A
service loop takes its clients through the Protocols of :mod:`policywatch.kafka.protocols`:
:class:`KafkaClients` builds the real ones, :class:`~policywatch.kafka.memory.MemoryBroker`
in-memory fakes for tests.
"""

from policywatch.kafka.admin import (
    OffsetReader,
    committed_offsets,
    ensure_topics,
    wait_for_broker,
)
from policywatch.kafka.clients import KafkaClients
from policywatch.kafka.consumer import Consumer
from policywatch.kafka.producer import Producer, SendResult
from policywatch.kafka.protocols import (
    ClientsProtocol,
    ConsumerProtocol,
    ProducerProtocol,
    SendResultProtocol,
)
from policywatch.kafka.records import Record, dead_letter_headers

__all__ = [
    "ClientsProtocol",
    "Consumer",
    "ConsumerProtocol",
    "KafkaClients",
    "OffsetReader",
    "Producer",
    "ProducerProtocol",
    "Record",
    "SendResult",
    "SendResultProtocol",
    "committed_offsets",
    "dead_letter_headers",
    "ensure_topics",
    "wait_for_broker",
]
