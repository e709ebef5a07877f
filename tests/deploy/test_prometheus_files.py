"""promtool on the shipped Prometheus files: syntax, templates, and the rules' own unit tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from .support import ALERTS, DEPLOY, PROMETHEUS_CONFIG, require_tool, run_tool

RULE_TESTS = DEPLOY / "prometheus" / "alerts.test.yml"


def promtool(*args: str) -> str:
    done = run_tool(require_tool("promtool", "prometheus"), *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_alerting_rules_pass_promtool_check_rules() -> None:
    assert "SUCCESS" in promtool("check", "rules", str(ALERTS))


def test_the_prometheus_rule_groups_pass_promtool_check_rules(tmp_path: Path) -> None:
    doc = yaml.safe_load((DEPLOY / "k8s" / "prometheusrule.yaml").read_text(encoding="utf-8"))
    rules = tmp_path / "rules.yml"
    rules.write_text(yaml.safe_dump({"groups": doc["spec"]["groups"]}), encoding="utf-8")
    promtool("check", "rules", str(rules))


def test_compose_prometheus_config_passes_promtool_check_config() -> None:
    out = promtool("check", "config", str(PROMETHEUS_CONFIG))
    assert "1 rule files found" in out


def test_alerting_rules_fire_as_their_unit_tests_expect() -> None:
    promtool("test", "rules", str(RULE_TESTS))


def test_alerting_rules_carry_severity_summary_and_description() -> None:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    for rule in (r for g in groups for r in g["rules"]):
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert {"summary", "description"} <= set(rule["annotations"]), rule["alert"]
