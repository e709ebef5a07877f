"""Fixtures of the ingest tests: a loopback feed server, fresh topics with a seen-state topic."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import pytest
from prometheus_client import CollectorRegistry

from policywatch.ingest import IngestService
from policywatch.kafka import ensure_topics
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, Settings, TopicSettings

from .support import FeedServer, serve


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    yield from serve(FeedServer())


@pytest.fixture
def ingest_topics(kafka_settings: KafkaSettings, topic_names: TopicSettings) -> TopicSettings:
    topics = topic_names.model_copy(
        update={"ingest_state": f"ingest.state-{uuid.uuid4().hex[:10]}"}
    )
    ensure_topics(kafka_settings, [], compacted=[topics.ingest_state])
    return topics


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(kafka_settings: KafkaSettings, ingest_topics: TopicSettings) -> SettingsFactory:
    """Settings with the test's broker and topics; keyword arguments go to ``ingest``."""

    def build(feeds: list[dict[str, Any]], **ingest: Any) -> Settings:
        return Settings(
            kafka=kafka_settings,
            topics=ingest_topics,
            ingest={"feeds": feeds, "timeout": 5, **ingest},
        )

    return build


class ServiceFactory(Protocol):
    def __call__(self, settings: Settings, **kwargs: Any) -> IngestService: ...


@pytest.fixture
def make_service() -> Iterator[ServiceFactory]:
    """Started services (real producer, Kafka seen-state), closed after the test."""
    made: list[IngestService] = []

    def build(settings: Settings, **kwargs: Any) -> IngestService:
        metrics = Metrics.create(CollectorRegistry())
        service = IngestService(settings, metrics, **kwargs)
        service.start()
        made.append(service)
        return service

    yield build
    for service in made:
        service.close()
