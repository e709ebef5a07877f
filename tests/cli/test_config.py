"""Every command builds its settings the same way and refuses a bad config file the same way:
exit 2, the file and the key named, the value never echoed, nothing started."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from policywatch.broker import free_port
from policywatch.cli.main import main

SECRET = "hunter2-do-not-print"


def commands() -> list[list[str]]:
    return [
        ["scan"],
        ["eval", "labelled.jsonl"],
        ["rules", "check"],
        ["rules", "test"],
        ["rules", "list"],
        ["detector"],
        ["ingest"],
        ["ingest", "--once"],
        ["notifier"],
        ["publish", "articles.jsonl"],
        ["tail"],
        ["dlq", "list"],
        ["dlq", "replay"],
        ["run", "--once"],
        ["schemas"],
        ["broker", "--port", str(free_port())],
        ["config", "check"],
        ["routes", "test", "actor=US"],
        ["silence", "list"],
    ]


@pytest.fixture
def typo_config(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(f"kafka:\n  sasl_pasword: {SECRET}\n", encoding="utf-8")
    return path


@pytest.fixture
def custom_rules_config(tmp_path: Path) -> Path:
    """A valid config whose rules.paths names a directory that is not there: a command that
    read it reports that directory, one that ignored it would load the built-in pack."""
    path = tmp_path / "custom.yaml"
    path.write_text(f"rules:\n  paths: [{tmp_path / 'my-rules'}]\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", commands(), ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("where", ["before", "after"])
def test_an_unknown_key_stops_every_command_before_it_starts_anything(
    command: list[str],
    where: str,
    typo_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    option = ["--config", str(typo_config)]
    argv = option + command if where == "before" else command + option
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no broker, listener or service announced itself
    assert str(typo_config) in err and "kafka.sasl_pasword" in err
    assert SECRET not in err


def test_a_bad_feed_stops_ingest_with_the_key_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "ingest:\n  feeds:\n    - name: wire\n      url: file:///etc/passwd\n", encoding="utf-8"
    )
    assert main(["--config", str(path), "ingest", "--once"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert str(path) in err and "ingest.feeds.0.url" in err


def test_pw_config_names_the_file_when_no_option_does(
    typo_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PW_CONFIG", str(typo_config))
    assert main(["rules", "check"]) == 2
    err = capsys.readouterr().err
    assert str(typo_config) in err and "kafka.sasl_pasword" in err


def test_the_option_wins_over_pw_config(
    typo_config: Path,
    custom_rules_config: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PW_CONFIG", str(typo_config))
    assert main(["rules", "check", "--config", str(custom_rules_config)]) == 1
    assert "my-rules" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "{cfg}", "rules", "check"],
        ["rules", "--config", "{cfg}", "check"],
        ["rules", "check", "--config", "{cfg}"],
    ],
    ids=["before", "between", "after"],
)
def test_the_config_file_is_read_wherever_the_option_stands(
    argv: list[str], custom_rules_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.format(cfg=custom_rules_config) for a in argv]) == 1
    err = capsys.readouterr().err
    assert "my-rules" in err


def test_pw_config_is_read(
    custom_rules_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PW_CONFIG", str(custom_rules_config))
    assert main(["rules", "check"]) == 1
    assert "my-rules" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["scan"], ["eval", "x.jsonl"], ["rules", "check"]])
def test_a_missing_config_file_exits_2_naming_it(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["--config", str(missing), *command]) == 2
    err = capsys.readouterr().err
    assert "cannot read config file" in err and str(missing) in err


def test_a_bad_secret_value_is_named_by_its_key_and_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "slack.yaml"
    path.write_text(
        "notifier:\n"
        "  receivers: [{name: team, slack: {url: 'ftp://hooks.example/" + SECRET + "'}}]\n"
        "  route: {receiver: team}\n",
        encoding="utf-8",
    )
    assert main(["--config", str(path), "notifier"]) == 2
    err = capsys.readouterr().err
    assert "notifier.receivers.0.slack.url" in err and SECRET not in err


def test_a_short_webhook_secret_stops_the_notifier_at_startup_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = "whsec_" + base64.b64encode(b"only-16-bytes-ok").decode()
    path = tmp_path / "short.yaml"
    path.write_text(
        "notifier:\n"
        "  receivers:\n"
        f"    - {{name: ops, webhook: {{url: 'http://127.0.0.1:9/h', secret: '{short}'}}}}\n"
        "  route: {receiver: ops}\n",
        encoding="utf-8",
    )
    assert main(["--config", str(path), "notifier"]) == 2
    err = capsys.readouterr().err
    assert "notifier.receivers.0.webhook.secret" in err and "24 bytes" in err
    assert short.removeprefix("whsec_") not in err
