from __future__ import annotations

import pytest

from policywatch.broker import EmbeddedBroker, port_open
from policywatch.errors import BrokerError

pytestmark = pytest.mark.kafka


def test_a_second_broker_on_a_used_port_fails_with_a_clear_error(broker: EmbeddedBroker) -> None:
    with pytest.raises(BrokerError, match="already in use"):
        EmbeddedBroker(broker.host, broker.port).start()
    assert broker.running


def test_broker_starts_answers_and_stops(tmp_path: object) -> None:
    from policywatch.broker import free_port

    b = EmbeddedBroker("127.0.0.1", free_port())
    b.start()
    try:
        assert port_open(b.host, b.port)
    finally:
        b.stop()
    assert not b.running
    assert not port_open(b.host, b.port)
