"""The retry topic under a crash: a notifier killed with SIGKILL while notifications wait for
their next attempt loses none of them, and re-sends only under the same ``webhook-id``."""

from __future__ import annotations

import signal
import time
import uuid
from pathlib import Path

import pytest

from policywatch.broker import free_port
from policywatch.settings import KafkaSettings, TopicSettings
from tools.harness import metric_sum, read_topic, readyz, scrape, start, wait_for

from .procs import service_env
from .test_notifier_faults import (
    SECRET,
    SlowListener,
    _covered,
    check_delivered,
    notifier_section,
    publish,
    stop_process,
    story_alerts,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_kill_9_during_retries_loses_nothing_and_duplicates_only_by_webhook_id(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, tmp_path: Path
) -> None:
    stories = story_alerts(20, range(1, 2))
    failures = 200  # every notification fails several times, whichever process tries it
    port = free_port()
    with SlowListener(SECRET, delay=0.0) as hook:
        hook.respond_with(*[503] * failures)
        section = notifier_section(
            f"n-{uuid.uuid4().hex[:8]}",
            port,
            hook.url,
            delivery={"retry_schedule": ["300ms"] * 40, "timeout": 5},
        )
        env = service_env(kafka_settings, topic_names, group="-", metrics_port=0, notifier=section)
        proc = start("notifier", env, tmp_path / "notifier-1.log")
        try:
            wait_for(lambda: readyz(port) == 200, 60, "notifier ready")
            publish(kafka_settings, topic_names.alerts, stories)
            wait_for(
                lambda: (
                    metric_sum(scrape(port), "policywatch_notifications_retried_total")
                    >= len(stories)
                    and hook.attempts > len(stories)
                ),
                60,
                "every story parked on the retry topic, and retried from there",
                interval=0.1,
            )
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        attempts_at_kill = hook.attempts
        assert hook.deliveries == [], "a notification got through before the kill"
        assert attempts_at_kill < failures, "the retries were over before the kill"
        proc = start("notifier", env, tmp_path / "notifier-2.log")
        try:
            wait_for(lambda: _covered(hook.deliveries, stories), 120, "every story notified")
            time.sleep(2.0)  # a stray re-send would come within a few retry delays
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                assert proc.wait(timeout=30) == 0
            finally:
                stop_process(proc)
        report = check_delivered(list(hook.deliveries), stories)
    assert report["unique_ids"] == len(stories)
    assert read_topic(kafka_settings, topic_names.alerts_dlq, expect=1, timeout=2) == []
    print(f"kill -9 after {attempts_at_kill} attempts; then {report}")
