from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from policywatch.cli.main import main
from policywatch.cli.schemas import generate_schemas

GOOD_LINE = json.dumps(
    {
        "id": "a1",
        "url": None,
        "source": "s",
        "published_at": None,
        "language": "en",
        "title": None,
        "body": "Canada will lift sanctions on two Russian officials, the ministry said.",
    }
)


def run(*argv: str) -> int:
    return main(list(argv))


def test_scan_writes_alerts_and_reports_bad_lines_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(f"{GOOD_LINE}\n{{broken\n\n{GOOD_LINE}\n")
    assert run("scan", str(path)) == 1
    out, err = capsys.readouterr()
    alerts = [json.loads(line) for line in out.splitlines()]
    assert [a["event_type"] for a in alerts] == ["sanctions_lifted", "sanctions_lifted"]
    assert f"{path}:2:" in err and "invalid_json" in err


def test_scan_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD_LINE.encode())))
    assert run("scan") == 0
    assert json.loads(capsys.readouterr().out)["actor"]["code"] == "CA"


def test_scan_with_broken_rules_exits_with_the_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text("language: en\nrules: [{id: x}]\n")
    assert run("scan", "--rules", str(tmp_path)) == 2
    assert "bad.yaml:2:" in capsys.readouterr().err


def test_eval_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(GOOD_LINE)
    data["labels"] = {"events": ["sanctions_lifted"], "ignore": [], "actor": "CA"}
    path = tmp_path / "l.jsonl"
    path.write_text(json.dumps(data) + "\n")
    assert run("eval", str(path), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["tp"] == 1 and report["actor_accuracy"] == 1.0
    assert report["by_language"]["en"]["precision"] == 1.0


def test_eval_scores_several_files_as_one_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(GOOD_LINE)
    hit = dict(data, labels={"events": ["sanctions_lifted"], "ignore": [], "actor": "CA"})
    miss = dict(data, id="a2", labels={"events": [], "ignore": [], "actor": None})
    (tmp_path / "a.jsonl").write_text(json.dumps(hit) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps(miss) + "\n")
    assert run("eval", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl"), "--json") == 0
    overall = json.loads(capsys.readouterr().out)["overall"]
    assert (overall["tp"], overall["fp"]) == (1, 1)


def test_rules_check_reports_every_error_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text("language: en\nrules:\n  - {id: x, bogus: 1}\n")
    (tmp_path / "b.yaml").write_text("language: en\nlists: [\n")
    assert run("rules", "check", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "a.yaml:3:" in err and "b.yaml:" in err


def test_rules_check_test_and_list_pass_on_the_shipped_pack(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("rules", "check") == 0
    assert run("rules", "test") == 0
    assert run("rules", "list") == 0
    out = capsys.readouterr().out
    assert "examples passed" in out and "en.sanctions_lifted.lift" in out


def test_schemas_check_detects_drift(tmp_path: Path) -> None:
    assert run("schemas", "--write", str(tmp_path)) == 0
    assert run("schemas", "--check", str(tmp_path)) == 0
    (tmp_path / "rules.schema.json").write_text("{}\n")
    assert run("schemas", "--check", str(tmp_path)) == 1
    assert set(generate_schemas()) == {
        "article.schema.json",
        "alert.schema.json",
        "rules.schema.json",
        "notifier.schema.json",
        "notification.schema.json",
    }
