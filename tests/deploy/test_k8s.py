"""deploy/k8s renders with kustomize, and what it renders starts policywatch the way it expects."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from policywatch.cli.main import build_parser
from policywatch.settings import Settings, load_settings

from .support import ALERTS, DEPLOY, REPO, require_tool, run_tool

K8S = DEPLOY / "k8s"
SERVICES = ("ingest", "detector", "notifier")


def kustomize(path: Path) -> list[dict[str, Any]]:
    """``kubectl kustomize PATH`` (or ``kustomize build``), parsed."""
    if shutil.which("kubectl") is None and shutil.which("kustomize") is not None:
        argv = ["kustomize", "build", str(path)]
    else:
        argv = [require_tool("kubectl", "kubernetes-client"), "kustomize", str(path)]
    done = run_tool(*argv)
    if 'unknown field "components"' in done.stderr:
        # Debian bookworm's kubernetes-client (1.20) bundles kustomize 2.0.3.
        pytest.skip(f"{argv[0]}'s kustomize predates components (kubectl >= 1.21 has them)")
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    return kustomize(K8S)


def deployment(docs: list[dict[str, Any]], service: str) -> dict[str, Any]:
    return by_kind(docs, "Deployment")[f"policywatch-{service}"]


def container(docs: list[dict[str, Any]], service: str) -> dict[str, Any]:
    (c,) = deployment(docs, service)["spec"]["template"]["spec"]["containers"]
    return c


def example_secrets() -> dict[str, dict[str, str]]:
    docs = yaml.safe_load_all((K8S / "secrets.example.yaml").read_text(encoding="utf-8"))
    return {d["metadata"]["name"]: d["stringData"] for d in docs if d}


def settings_for(
    docs: list[dict[str, Any]],
    service: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    secrets: dict[str, dict[str, str]],
) -> Settings:
    """Settings as the pod builds them: its args, its mounted ConfigMap, its env."""
    pod = deployment(docs, service)["spec"]["template"]["spec"]
    c = container(docs, service)
    args = build_parser().parse_args(c["args"])
    assert args.command == service
    config = Path(args.config)
    (mount,) = [m for m in c["volumeMounts"] if config.is_relative_to(m["mountPath"])]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    configmap = by_kind(docs, "ConfigMap")[volume["configMap"]["name"]]
    key = str(config.relative_to(mount["mountPath"]))
    local = tmp_path / service / key
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(configmap["data"][key], encoding="utf-8")
    for var in c.get("env", []):
        if "value" in var:
            monkeypatch.setenv(var["name"], var["value"])
            continue
        ref = var["valueFrom"]["secretKeyRef"]
        assert ref.get("optional") is True, f"{var['name']}: a missing Secret would stop the pod"
        value = secrets.get(ref["name"], {}).get(ref["key"])
        if value is None:
            monkeypatch.delenv(var["name"], raising=False)
        else:
            monkeypatch.setenv(var["name"], value)
    return load_settings(local)


def test_renders_every_object_into_the_namespace(rendered: list[dict[str, Any]]) -> None:
    kinds = sorted(d["kind"] for d in rendered)
    expected = ["ConfigMap", "Deployment", "Deployment", "Deployment", "Namespace", "PodMonitor"]
    assert kinds == [*expected, "PrometheusRule", "Service", "Service", "Service"]
    for doc in rendered:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "policywatch", doc["metadata"]["name"]


@pytest.mark.parametrize("service", SERVICES)
def test_probes_use_healthz_and_readyz_on_the_configured_metrics_port(
    rendered: list[dict[str, Any]],
    service: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = settings_for(rendered, service, tmp_path, monkeypatch, {})
    port = getattr(settings, service).metrics_port
    c = container(rendered, service)
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert ports == {"metrics": port}
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
    (svc,) = [
        s for s in by_kind(rendered, "Service").values() if s["metadata"]["name"].endswith(service)
    ]
    labels = deployment(rendered, service)["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= labels.items()
    assert svc["spec"]["ports"] == [{"name": "metrics", "port": port, "targetPort": "metrics"}]


@pytest.mark.parametrize("service", SERVICES)
def test_pods_run_as_the_images_non_root_user_on_a_read_only_root(
    rendered: list[dict[str, Any]], service: str
) -> None:
    pod = deployment(rendered, service)["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert f"USER {pod['securityContext']['runAsUser']}:" in dockerfile
    sc = container(rendered, service)["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert deployment(rendered, service)["spec"]["replicas"] >= 1


@pytest.mark.parametrize("service", SERVICES)
def test_secrets_reach_the_settings_and_the_pods_start_without_them(
    rendered: list[dict[str, Any]],
    service: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {v["name"]: v for v in container(rendered, service)["env"]}
    assert env["PW_KAFKA__SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == (
        "policywatch-kafka"
    )
    with_secrets = settings_for(rendered, service, tmp_path, monkeypatch, example_secrets())
    password = with_secrets.kafka.sasl_password
    assert password is not None and password.get_secret_value() == "change-me"
    if service == "notifier":
        receivers = {r.name: r for r in with_secrets.notifier.receivers}
        assert set(receivers) == {"newsroom", "slack"}
        hook = receivers["newsroom"].webhook
        assert hook is not None and hook.secret.get_secret_value().startswith("whsec_")
        assert with_secrets.notifier.route is not None
    without = settings_for(rendered, service, tmp_path, monkeypatch, {})
    assert without.kafka.sasl_password is None
    assert without.kafka.bootstrap_servers == with_secrets.kafka.bootstrap_servers


def test_the_pod_monitor_scrapes_both_services_under_the_job_names_the_alerts_use(
    rendered: list[dict[str, Any]],
) -> None:
    (monitor,) = by_kind(rendered, "PodMonitor").values()
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    selector = monitor["spec"]["selector"]["matchLabels"]
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    alerts = ALERTS.read_text(encoding="utf-8")
    for service in SERVICES:
        labels = deployment(rendered, service)["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items()
        assert endpoint["port"] in {p["name"] for p in container(rendered, service)["ports"]}
        job = labels[monitor["spec"]["jobLabel"]]
        assert f'job="{job}"' in alerts


def test_the_prometheus_rule_carries_exactly_the_alerting_rules(
    rendered: list[dict[str, Any]],
) -> None:
    (rule,) = by_kind(rendered, "PrometheusRule").values()
    expected = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    assert rule["spec"]["groups"] == expected


def test_the_custom_rules_component_mounts_a_rule_pack_the_detector_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policywatch.engine import Engine

    overlay = tmp_path / "overlay"
    (overlay / "rules").mkdir(parents=True)
    builtin = sorted((REPO / "services" / "policywatch" / "rules").rglob("*.yaml"))
    assert builtin, "no built-in rule files to use as a custom pack"
    names = []
    for path in builtin:
        name = "-".join(path.relative_to(REPO / "services" / "policywatch" / "rules").parts)
        shutil.copy(path, overlay / "rules" / name)
        names.append(f"rules/{name}")
    (overlay / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "namespace": "policywatch",
                # kustomize wants relative paths to other kustomizations.
                "resources": [os.path.relpath(K8S, overlay)],
                "components": [os.path.relpath(K8S / "components" / "custom-rules", overlay)],
                "configMapGenerator": [{"name": "policywatch-rules", "files": names}],
            }
        ),
        encoding="utf-8",
    )
    docs = kustomize(overlay)
    settings = settings_for(docs, "detector", tmp_path, monkeypatch, {})
    pod = deployment(docs, "detector")["spec"]["template"]["spec"]
    mounts = {m["mountPath"]: m["name"] for m in container(docs, "detector")["volumeMounts"]}
    assert settings.rules.paths, "PW_RULES__PATHS did not reach the settings"
    pack = tmp_path / "pack"
    pack.mkdir()
    for path in settings.rules.paths:
        (volume,) = [v for v in pod["volumes"] if v["name"] == mounts[str(path)]]
        data = by_kind(docs, "ConfigMap")[volume["configMap"]["name"]]["data"]
        for key, text in data.items():
            (pack / key).write_text(text, encoding="utf-8")
    assert Engine.from_paths([pack]).rule_count == Engine.from_paths().rule_count > 0
    assert json.loads(
        next(
            e["value"] for e in container(docs, "detector")["env"] if e["name"] == "PW_RULES__PATHS"
        )
    ) == [str(p) for p in settings.rules.paths]
