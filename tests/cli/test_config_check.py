"""``policywatch config check`` and ``policywatch routes test``."""

from __future__ import annotations

from pathlib import Path

import pytest

from policywatch.cli.main import main

GOOD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # 24 bytes
SHORT_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZI"  # 18 bytes: under the 24 the settings require

GOOD = f"""
notifier:
  receivers:
    - name: ops
      webhook: {{url: "https://ops.example.org/h", secret: "{GOOD_SECRET}"}}
    - name: analysts
      slack: {{url: "https://hooks.slack.com/services/T000/B000/XXXX"}}
    - name: critical-topic
      kafka: {{topic: alerts.critical}}
  route:
    receiver: ops
    routes:
      - matchers: ['event_type=~"sanctions_.*"', 'actor!="US"']
        receiver: analysts
        continue: true
      - match_re: {{severity: "high|critical"}}
        receiver: critical-topic
  inhibit_rules:
    - source_matchers: ['event_type="sanctions_lifted"']
      target_matchers: ['event_type="sanctions_imposed"']
      equal: [actor, target]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policywatch.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_config_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, GOOD)
    assert main(["config", "check", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ok:" in out and "3 receivers" in out and "1 inhibit rules" in out


def test_every_problem_is_reported_with_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = (
        GOOD.replace(GOOD_SECRET, SHORT_SECRET)
        .replace("high|critical", "high|(critical")
        .replace("receiver: analysts", "receiver: analyts")
        .replace("target_matchers: ['event_type=", "target_matchers: ['event_type=~\"(\"', 'x=")
    )
    path = _write(tmp_path, bad)
    assert main(["config", "check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith(str(path))]
    keys = sorted(line.split(": ")[1] for line in lines)
    assert keys == [
        "notifier.inhibit_rules.0.target_matchers",
        "notifier.receivers.0.webhook.secret",
        "notifier.route.routes.0.receiver",
        "notifier.route.routes.1.match_re",
    ]
    assert "unknown receiver 'analyts'" in err
    assert "bad regex" in err and "invalid regex" in err
    assert "at least 24 bytes" in err and SHORT_SECRET not in err
    assert "unknown label 'x'" in err
    assert "4 problem(s)" in err


def test_an_unknown_receiver_alone_is_named_by_its_route(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, GOOD.replace("receiver: critical-topic", "receiver: nobody"))
    assert main(["config", "check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: notifier.route.routes.1.receiver: unknown receiver 'nobody'" in err
    assert "1 problem(s)" in err


def test_bad_yaml_is_one_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "notifier: [unclosed\n")
    assert main(["config", "check", "--config", str(path)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("labels", "receivers", "paths"),
    [
        (
            ["event_type=sanctions_imposed", "actor=EU", "severity=low"],
            "analysts",
            ["root.0"],
        ),
        (
            ["event_type=sanctions_imposed", "actor=EU", "severity=high"],
            "analysts, critical-topic",
            ["root.0", "root.1"],
        ),
        (["event_type=sanctions_imposed", "actor=US", "severity=low"], "ops", ["root"]),
        (
            ["event_type=weapons_restriction_lifted", "severity=critical"],
            "critical-topic",
            ["root.1"],
        ),
    ],
)
def test_routes_test_prints_the_receivers_and_routes_of_a_label_set(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    labels: list[str],
    receivers: str,
    paths: list[str],
) -> None:
    path = _write(tmp_path, GOOD)
    assert main(["routes", "test", "--config", str(path), *labels]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == receivers
    assert [line.split("via ")[1].split()[0] for line in out[1:]] == paths


def test_routes_test_refuses_an_unknown_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, GOOD)
    assert main(["routes", "test", "--config", str(path), "colour=red"]) == 2
    assert "unknown label 'colour'" in capsys.readouterr().err
