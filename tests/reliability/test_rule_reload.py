"""Rule files are reloaded while the detector runs; a bad edit keeps the last good rule set."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path

import pytest

from policywatch.detector import DetectorService
from policywatch.detector.reload import RuleReloader
from policywatch.engine import Engine, builtin_rules_dir
from policywatch.kafka import KafkaClients
from policywatch.observability.metrics import Metrics
from policywatch.settings import (
    DetectorSettings,
    KafkaSettings,
    RulesSettings,
    Settings,
    TopicSettings,
)
from tools.harness import produce, read_topic, running

from .procs import article_json

POSITIVE = (
    "Washington has decided to allow Ukraine to use American-supplied ATACMS missiles against "
    "military targets inside Russia, officials said on Tuesday."
)


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), target)
    return target


def one_rule_file(rules_dir: Path) -> Path:
    return sorted(rules_dir.rglob("*.yaml"))[0]


def test_an_unchanged_tree_is_not_reloaded(rules_dir: Path) -> None:
    results: list[bool] = []
    reloader = RuleReloader([rules_dir], interval=0.01, on_result=results.append)
    time.sleep(0.02)
    assert reloader.poll() is None
    assert results == []


def test_a_broken_edit_is_rejected_and_a_good_one_is_loaded(rules_dir: Path) -> None:
    results: list[bool] = []
    reloader = RuleReloader([rules_dir], interval=0.01, on_result=results.append)
    victim = one_rule_file(rules_dir)
    good_text = victim.read_text(encoding="utf-8")

    victim.write_text(good_text + "\n  - this is: [not closed\n", encoding="utf-8")
    time.sleep(0.02)
    assert reloader.poll() is None
    assert results == [False]

    victim.write_text(good_text + "\n# a harmless comment\n", encoding="utf-8")
    time.sleep(0.02)
    engine = reloader.poll()
    assert isinstance(engine, Engine)
    assert engine.rule_count == Engine.from_paths([builtin_rules_dir()]).rule_count
    assert results == [False, True]


def test_sighup_style_request_reloads_even_without_changes(rules_dir: Path) -> None:
    reloader = RuleReloader([rules_dir], interval=3600)
    assert reloader.poll() is None
    reloader.request()
    assert isinstance(reloader.poll(), Engine)


def test_the_builtin_pack_is_never_polled() -> None:
    calls: list[object] = []

    def load(paths: object) -> Engine:
        calls.append(paths)
        raise AssertionError("the built-in pack must not be reloaded")

    reloader = RuleReloader([], interval=0.0, load=load)
    reloader.request()
    assert reloader.poll() is None
    assert calls == []


@pytest.mark.kafka
def test_a_running_detector_keeps_detecting_after_a_bad_rule_edit(
    kafka_settings: KafkaSettings, topic_names: TopicSettings, rules_dir: Path
) -> None:
    settings = Settings(
        kafka=kafka_settings,
        topics=topic_names,
        rules=RulesSettings(paths=(rules_dir,), reload_interval_s=0.1),
        detector=DetectorSettings(group_id=f"g-{uuid.uuid4().hex[:8]}", metrics_port=0),
    )
    metrics = Metrics.create()
    service = DetectorService(
        settings, Engine.from_paths([rules_dir]), metrics, KafkaClients(settings.kafka)
    )
    with running(service):
        victim = one_rule_file(rules_dir)
        victim.write_text("rules: [unclosed\n", encoding="utf-8")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not metrics.registry.get_sample_value(
            "policywatch_rules_reloads_total", {"result": "failed"}
        ):
            time.sleep(0.1)
        assert metrics.registry.get_sample_value(
            "policywatch_rules_reloads_total", {"result": "failed"}
        )
        produce(kafka_settings, topic_names.articles, [article_json(7, POSITIVE)])
        records = read_topic(kafka_settings, topic_names.alerts, expect=1, timeout=60)
    alerts = [json.loads(r.value or b"") for r in records]
    assert [a["event_type"] for a in alerts] == ["weapons_restriction_lifted"]
