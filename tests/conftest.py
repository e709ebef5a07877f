"""Shared fixtures: one embedded broker per test session, fresh uuid topics per test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from policywatch.broker import EmbeddedBroker, free_port
from policywatch.settings import KafkaSettings, TopicSettings
from tools.harness import fresh_topics

#: The founding example, in our own words: the article every deployment is checked against.
SEED = Path(__file__).resolve().parent / "fixtures" / "seed.json"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("broker") / "broker.log"
    with EmbeddedBroker("127.0.0.1", free_port(), log_file=log) as b:
        yield b


@pytest.fixture(scope="session")
def kafka_settings(broker: EmbeddedBroker) -> KafkaSettings:
    return KafkaSettings(
        bootstrap_servers=broker.bootstrap_servers,
        max_poll_interval_ms=10_000,
        session_timeout_ms=6_000,
        heartbeat_interval_ms=1_000,
        fetch_max_wait_ms=10,
        topic_partitions=2,
    )


@pytest.fixture
def topic_names(kafka_settings: KafkaSettings) -> TopicSettings:
    """Fresh topics for one test, created up front."""
    return fresh_topics(kafka_settings)


@pytest.fixture(scope="session")
def seed_article_json() -> str:
    """The founding article (the US lets Ukraine strike inside Russia with ATACMS), one line."""
    return json.dumps(json.loads(SEED.read_text(encoding="utf-8")))
