"""Slack threads per story end to end: the notifier service on the embedded broker posting to
the loopback fake Slack Web API, restarted halfway through a story."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import CollectorRegistry

from policywatch.kafka import Producer
from policywatch.models import Alert
from policywatch.notifier.service import NotifierService
from policywatch.notifier.slack_api_fake import CHANNEL_ID, SlackApiFake
from policywatch.observability.metrics import Metrics
from policywatch.settings import KafkaSettings, Settings, TopicSettings

from .helpers import encoded, make_alert, running, today

pytestmark = pytest.mark.kafka

TOKEN = "xoxb-threads-test"


def _publish(kafka: KafkaSettings, topic: str, alert: Alert) -> None:
    producer = Producer(kafka)
    producer.send(topic, encoded(alert), key=alert.story_key.encode()).get()
    producer.close()


def test_five_articles_of_a_story_are_one_message_edited_and_threaded_across_a_restart(
    kafka_settings: KafkaSettings, topic_names: TopicSettings
) -> None:
    articles = [today(make_alert(i)) for i in range(1, 6)]
    with SlackApiFake(TOKEN) as slack:
        settings = Settings(
            kafka=kafka_settings,
            topics=topic_names,
            notifier={
                "group_id": f"notifier-{uuid.uuid4().hex[:8]}",
                "metrics_port": 0,
                "receivers": [
                    {
                        "name": "analysts",
                        "slack_bot": {
                            "token": TOKEN,
                            "channel": "#policy",
                            "base_url": slack.base_url,
                        },
                    }
                ],
                "route": {"receiver": "analysts", "group_wait": 0, "group_interval": 0},
            },
        )

        def step(article: Alert, calls: int) -> None:
            _publish(kafka_settings, topic_names.alerts, article)
            assert len(slack.wait_for(calls, timeout=30)) == calls

        with running(NotifierService(settings, Metrics.create(CollectorRegistry()))):
            step(articles[0], 1)
            step(articles[1], 3)
        with running(NotifierService(settings, Metrics.create(CollectorRegistry()))):
            for n, article in enumerate(articles[2:], start=2):
                step(article, 1 + 2 * n)

    post, *rest = slack.calls
    assert post.method == "chat.postMessage" and "thread_ts" not in post.body
    ts = next(iter(slack.messages))
    updates, replies = rest[0::2], rest[1::2]
    assert len(updates) == len(replies) == 4
    assert all(c.method == "chat.update" for c in updates)
    assert {(c.body["channel"], c.body["ts"]) for c in updates} == {(CHANNEL_ID, ts)}
    assert all(c.method == "chat.postMessage" for c in replies)
    assert {(c.body["channel"], c.body["thread_ts"]) for c in replies} == {(CHANNEL_ID, ts)}
    assert [c.body["text"].split(":")[0] for c in replies] == [f"Update {i}" for i in range(2, 6)]
    assert "5 articles" in str(slack.messages[ts]["blocks"])
