"""deploy/compose.yaml holds together: files it mounts, commands it runs, ports it probes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from policywatch.cli.main import build_parser
from policywatch.settings import Settings, TopicSettings, load_settings

from .support import DASHBOARD, DEPLOY, PROMETHEUS_CONFIG

COMPOSE = DEPLOY / "compose.yaml"
#: The policywatch services of the stack.
SERVICES = ("ingest", "detector", "notifier")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return doc


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    svc: dict[str, dict[str, Any]] = compose["services"]
    return svc


def bind_mounts(service: dict[str, Any]) -> list[tuple[Path, str]]:
    """(source in the repository, target in the container) of each ``./...`` volume."""
    out = []
    for volume in service.get("volumes", []):
        source, target, *_ = volume.split(":")
        if source.startswith("."):
            out.append(((DEPLOY / source).resolve(), target))
    return out


def test_the_stack_has_every_service(compose: dict[str, Any]) -> None:
    assert set(services(compose)) == {
        "kafka",
        "topics",
        "ingest",
        "detector",
        "notifier",
        "prometheus",
        "grafana",
    }


def test_kafka_runs_the_official_image_in_kraft_mode(compose: dict[str, Any]) -> None:
    kafka = services(compose)["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not [k for k in env if "ZOOKEEPER" in k]
    assert "CONTROLLER" in env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    listeners = dict(re.findall(r"(\w+)://([^,]*)", env["KAFKA_ADVERTISED_LISTENERS"]))
    assert listeners["PLAINTEXT"] == "kafka:9092"
    assert services(compose)["detector"]["environment"]["PW_KAFKA__BOOTSTRAP_SERVERS"] == (
        "kafka:9092"
    )
    assert "healthcheck" in kafka


def test_the_topic_job_creates_every_topic_policywatch_uses(compose: dict[str, Any]) -> None:
    job = services(compose)["topics"]
    assert job["depends_on"]["kafka"]["condition"] == "service_healthy"
    script = "\n".join(job["command"])
    assert "kafka-topics.sh" in script and "--if-not-exists" in script
    expected = set(TopicSettings().model_dump().values())
    created = set(re.findall(r"[\w.]+", script.split("for topic in", 1)[1].split(";", 1)[0]))
    compacted = set(re.findall(r"create (\S+) --config cleanup.policy=compact", script))
    assert created | compacted == expected
    assert compacted == {
        TopicSettings().notifier_state,
        TopicSettings().ingest_state,
        TopicSettings().silences,
    }
    for name in SERVICES:
        assert services(compose)[name]["depends_on"]["topics"]["condition"] == (
            "service_completed_successfully"
        )


def test_every_mounted_file_exists_in_the_repository(compose: dict[str, Any]) -> None:
    mounts = [m for svc in services(compose).values() for m in bind_mounts(svc)]
    assert len(mounts) >= 4
    for source, target in mounts:
        assert source.exists(), f"{source} (mounted at {target}) is missing"
    build = services(compose)["detector"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"


def test_services_run_policywatch_commands_with_the_mounted_config(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    parser = build_parser()
    for name in SERVICES:
        svc = services(compose)[name]
        args = parser.parse_args(svc["command"])
        assert args.command == name
        (source, target) = bind_mounts(svc)[0]
        assert args.config == target
        for key, value in svc["environment"].items():
            monkeypatch.setenv(key, str(value))
        settings = load_settings(source)
        assert settings.kafka.bootstrap_servers == "kafka:9092"
        assert settings.topics == TopicSettings()


def _port(settings: Settings, service: str) -> int:
    section = getattr(settings, service)
    port = section["metrics_port"] if isinstance(section, dict) else section.metrics_port
    return int(port)


def test_healthchecks_and_scrapes_use_the_configured_metrics_ports(
    compose: dict[str, Any],
) -> None:
    settings = load_settings(DEPLOY / "config" / "policywatch.yaml")
    scrape = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in scrape["scrape_configs"]}
    for name in SERVICES:
        port = _port(settings, name)
        probe = " ".join(services(compose)[name]["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/readyz" in probe
        (sd,) = jobs[f"policywatch-{name}"]["dns_sd_configs"]
        assert sd["names"] == [name] and sd["port"] == port


def test_prometheus_and_grafana_get_their_files_where_they_look(compose: dict[str, Any]) -> None:
    prometheus = services(compose)["prometheus"]
    mounts = dict((t, s) for s, t in bind_mounts(prometheus))
    etc = mounts["/etc/prometheus"]
    assert (etc / "prometheus.yml").exists() and (etc / "alerts.yml").exists()
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]

    grafana = services(compose)["grafana"]
    gmounts = dict((t, s) for s, t in bind_mounts(grafana))
    provisioning = gmounts["/etc/grafana/provisioning"]
    (provider,) = yaml.safe_load((provisioning / "dashboards" / "policywatch.yaml").read_text())[
        "providers"
    ]
    dashboards = gmounts[provider["options"]["path"]]
    assert (dashboards / DASHBOARD.name).exists()
    (datasource,) = yaml.safe_load((provisioning / "datasources" / "prometheus.yaml").read_text())[
        "datasources"
    ]
    assert datasource["url"] == "http://prometheus:9090"
    uids = {
        t["datasource"]["uid"]
        for p in json.loads(DASHBOARD.read_text())["panels"]
        for t in p.get("targets", [])
    }
    assert uids == {datasource["uid"]}
