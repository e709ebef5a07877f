"""``policywatch ingest`` as a real process: kill -9 and restart republish nothing; SIGTERM is
clean; --once polls and exits."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from policywatch.broker import free_port
from policywatch.settings import KafkaSettings, TopicSettings
from tools.harness import readyz, scrape, service_env, start, terminate

from .support import FeedServer, Item, Page, articles_in, read_to_end, rss

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

ITEMS = [Item(f"Story {n}", f"Text of story number {n}.", guid=f"s{n}") for n in range(5)]


def _env(kafka: KafkaSettings, topics: TopicSettings, feed_url: str, port: int) -> dict[str, str]:
    ingest = {
        "feeds": [{"name": "wire", "url": feed_url, "poll_interval": "1s"}],
        "metrics_port": port,
        "metrics_host": "127.0.0.1",
        "timeout": 5,
    }
    return service_env(
        kafka,
        topics,
        extra={
            "PW_KAFKA__REQUEST_TIMEOUT_MS": "5000",
            "PW_TOPICS__INGEST_STATE": topics.ingest_state,
            "PW_INGEST": json.dumps(ingest),
        },
    )


def _wait_for(
    what: str, check: Callable[[], object], proc: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if check():
            return
        if proc.poll() is not None:
            pytest.fail(f"ingest exited with {proc.returncode}: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}: {log.read_text()[-2000:]}")


def test_kill_9_then_restart_publishes_only_the_new_items(
    feed_server: FeedServer,
    kafka_settings: KafkaSettings,
    ingest_topics: TopicSettings,
    tmp_path: Path,
) -> None:
    feed_server.pages["/rss"] = Page(rss(ITEMS))
    log = tmp_path / "ingest.log"
    env = _env(kafka_settings, ingest_topics, feed_server.url("/rss"), free_port())
    proc = start("ingest", env, log)
    try:
        _wait_for(
            "the five articles",
            lambda: len(read_to_end(kafka_settings, ingest_topics.articles)) >= 5,
            proc,
            log,
        )
        # It keeps polling (every second): let it see the feed again before the kill.
        polls = len(feed_server.requests)
        _wait_for("another poll", lambda: len(feed_server.requests) > polls + 1, proc, log)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    feed_server.pages["/rss"] = Page(rss([Item("Story 5", "A new one.", guid="s5"), *ITEMS]))
    again = subprocess.run(
        [sys.executable, "-m", "policywatch", "ingest", "--once"],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    ids = [a.id for a in articles_in(kafka_settings, ingest_topics.articles)]
    assert sorted(ids) == ["s0", "s1", "s2", "s3", "s4", "s5"]


def test_sigterm_stops_the_service_cleanly(
    feed_server: FeedServer,
    kafka_settings: KafkaSettings,
    ingest_topics: TopicSettings,
    tmp_path: Path,
) -> None:
    feed_server.pages["/rss"] = Page(rss(ITEMS[:1]))
    log = tmp_path / "ingest.log"
    port = free_port()
    proc = start("ingest", _env(kafka_settings, ingest_topics, feed_server.url("/rss"), port), log)
    try:
        _wait_for("/readyz", lambda: readyz(port) == 200, proc, log)
        exposition = scrape(port)
        assert 'policywatch_ingest_poll_interval_seconds{feed="wire"} 1.0' in exposition
    finally:
        code = terminate(proc)
    assert code == 0, log.read_text()[-2000:]
    assert "ingest_stopped" in log.read_text()


def test_once_exits_non_zero_when_a_feed_fails(
    feed_server: FeedServer,
    kafka_settings: KafkaSettings,
    ingest_topics: TopicSettings,
) -> None:
    env = _env(kafka_settings, ingest_topics, feed_server.url("/missing"), 0)
    done = subprocess.run(
        [sys.executable, "-m", "policywatch", "ingest", "--once"],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "feed wire failed: http_status" in done.stderr.decode()
