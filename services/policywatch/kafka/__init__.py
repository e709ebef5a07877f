"""The Kafka adapter: the only package that imports ``kafka``.

Services see :class:`Record`, :class:`Consumer`, :class:`Producer` and :func:`ensure_topics`;
library exceptions are translated to :class:`~policywatch.errors.KafkaAdapterError` here.
"""

from policywatch.kafka.admin import (
    OffsetReader,
    committed_offsets,
    ensure_topics,
    wait_for_broker,
)
from policywatch.kafka.consumer import Consumer
from policywatch.kafka.producer import Producer, SendResult
from policywatch.kafka.records import Record, dead_letter_headers

__all__ = [
    "Consumer",
    "OffsetReader",
    "Producer",
    "Record",
    "SendResult",
    "committed_offsets",
    "dead_letter_headers",
    "ensure_topics",
    "wait_for_broker",
]
