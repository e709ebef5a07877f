"""The send/ack/commit ledger, with the in-memory producer's sends (no broker)."""

from __future__ import annotations

import pytest

from policywatch.detector.ledger import Ledger
from policywatch.errors import KafkaAdapterError
from policywatch.kafka import Record
from policywatch.kafka.memory import MemoryBroker, MemoryProducer


def rec(partition: int, offset: int) -> Record:
    return Record("articles", partition, offset, None, b"{}", 0)


def _handle(ledger: Ledger, records: list[Record]) -> None:
    ledger.begin(records)
    for record in records:
        ledger.handled(record)


def _send(ledger: Ledger, producer: MemoryProducer, n: int = 1) -> None:
    for _ in range(n):
        ledger.sent(producer.send("alerts", b"alert"))


def test_an_empty_ledger_has_nothing_to_commit_or_rewind() -> None:
    ledger = Ledger()
    assert not ledger.pending
    assert ledger.settle() == {}
    assert ledger.rewind() == {}


def test_once_every_send_is_acknowledged_each_partition_commits_past_its_last_record() -> None:
    broker = MemoryBroker(delayed_acks=True)
    producer = broker.producer()
    ledger = Ledger()
    _handle(ledger, [rec(0, 5), rec(0, 6), rec(1, 3)])
    _send(ledger, producer, 2)
    assert ledger.pending and ledger.sends == 2
    assert broker.records("alerts") == []  # in flight
    assert ledger.settle() == {("articles", 0): 7, ("articles", 1): 4}
    assert len(broker.records("alerts")) == 2  # settling waited for both acknowledgements
    ledger.committed()
    assert not ledger.pending


def test_a_handled_record_without_messages_is_committable_too() -> None:
    ledger = Ledger()
    _handle(ledger, [rec(0, 0)])
    assert ledger.pending
    assert ledger.settle() == {("articles", 0): 1}


def test_a_failed_acknowledgement_forbids_the_commit() -> None:
    broker = MemoryBroker()
    producer = broker.producer()
    ledger = Ledger()
    _handle(ledger, [rec(0, 0), rec(0, 1)])
    _send(ledger, producer)
    broker.fail_ack()
    _send(ledger, producer)
    with pytest.raises(KafkaAdapterError, match="ack"):
        ledger.settle()
    assert ledger.rewind() == {("articles", 0): 0}


def test_a_rewind_covers_every_partition_of_the_batch_even_those_not_reached_yet() -> None:
    """poll() moved every partition past the batch: a failure on its first record must send
    the partitions whose records were never handled back too."""
    ledger = Ledger()
    batch = [rec(0, 10), rec(0, 11), rec(1, 20), rec(2, 30)]
    ledger.begin(batch)
    ledger.handled(batch[0])
    assert ledger.rewind() == {("articles", 0): 10, ("articles", 1): 20, ("articles", 2): 30}


def test_a_rewind_goes_back_to_the_last_commit_not_to_the_latest_batch() -> None:
    ledger = Ledger()
    _handle(ledger, [rec(0, 0), rec(0, 1)])
    _handle(ledger, [rec(0, 2), rec(1, 0)])
    assert ledger.rewind() == {("articles", 0): 0, ("articles", 1): 0}
    # The rewind forgot that work: handled again, it starts from its first batch.
    _handle(ledger, [rec(0, 0)])
    ledger.settle()
    ledger.committed()
    _handle(ledger, [rec(0, 1)])
    assert ledger.rewind() == {("articles", 0): 1}


def test_revoked_partitions_are_not_committed_but_their_sends_still_must_succeed() -> None:
    broker = MemoryBroker()
    producer = broker.producer()
    ledger = Ledger()
    _handle(ledger, [rec(0, 0), rec(1, 0)])
    broker.fail_ack()
    _send(ledger, producer)  # the alert of partition 1's record
    ledger.revoke({("articles", 1)})
    with pytest.raises(KafkaAdapterError):
        ledger.settle()
    assert ledger.rewind() == {("articles", 0): 0}


def test_after_a_revocation_the_remaining_partitions_commit_alone() -> None:
    ledger = Ledger()
    _handle(ledger, [rec(0, 0), rec(1, 0)])
    ledger.revoke({("articles", 1)})
    assert ledger.settle() == {("articles", 0): 1}
