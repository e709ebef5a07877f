from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from policywatch.cli.main import main
from policywatch.engine.calibration import Calibration
from policywatch.engine.rule_language.loader import builtin_rules_dir
from policywatch.quality.split import half_of

LIFT = "Canada will lift sanctions on two Russian officials, the ministry said."


def line(aid: str, body: str, events: list[str], actor: str | None) -> str:
    return json.dumps(
        {
            "id": aid,
            "url": None,
            "source": "tests",
            "published_at": "2025-01-01",
            "language": "en",
            "title": None,
            "body": body,
            "labels": {"events": events, "ignore": [], "actor": actor},
        }
    )


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text(
        "\n".join(
            [
                line("hit", LIFT, ["sanctions_lifted"], "CA"),
                # Labelled as no event, so the alert it raises is a false positive.
                line("quiet", LIFT, [], None),
                line("calm", "The weather in Ottawa stayed mild all week.", [], None),
            ]
        )
        + "\n"
    )
    return path


def test_save_then_compare_after_a_rule_change_lists_what_it_won_and_broke(
    tmp_path: Path, labelled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = tmp_path / "run.json"
    en, de = builtin_rules_dir() / "en", builtin_rules_dir() / "de"
    assert main(["eval", "--rules", str(en), "--save", str(run_file), str(labelled)]) == 0
    out = capsys.readouterr().out
    assert "1/2 raise an alert (0.500)" in out
    saved = json.loads(run_file.read_text())
    assert LIFT not in run_file.read_text()
    assert saved["no_event"]["en"] == {"articles": 2, "alerted": 1, "rate": 0.5}
    # The "change": an English article scored by a pack with no English rules.
    assert main(["eval", "--rules", str(de), "--compare", str(run_file), str(labelled)]) == 0
    out = capsys.readouterr().out
    assert "won (1):\n    quiet  sanctions_lifted: fp → none" in out
    assert "broke (1):\n    hit  sanctions_lifted: tp → fn" in out
    assert "no-event articles alerting: 1/2 → 0/2" in out
    assert (
        main(["eval", "--rules", str(de), "--json", "--compare", str(run_file), str(labelled)]) == 0
    )
    comparison = json.loads(capsys.readouterr().out)["comparison"]
    [(rule, row)] = comparison["by_rule"].items()
    assert rule.startswith("en.sanctions_lifted.")
    assert (row["before"]["tp"], row["after"]["tp"]) == (1, 0)


def test_compare_with_a_file_that_is_not_a_run_is_an_error(
    tmp_path: Path, labelled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"version": 99}')
    assert main(["eval", "--compare", str(bogus), str(labelled)]) == 2
    assert "bogus.json: not a saved run" in capsys.readouterr().err


def test_a_half_of_a_file_is_scored_by_the_parity_of_sha256_of_the_id(
    labelled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    halves = {aid: half_of(aid) for aid in ("hit", "quiet", "calm")}
    for half in ("tuning", "blind"):
        assert main(["eval", "--json", f"{labelled}:{half}"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["articles"] == sum(h == half for h in halves.values())


def test_half_of_is_the_first_byte_parity() -> None:
    # sha256("a") begins with 0xca (even: tuning), sha256("hit") with an odd byte (blind).
    assert hashlib.sha256(b"a").digest()[0] == 0xCA
    assert half_of("a") == "tuning"
    assert hashlib.sha256(b"hit").digest()[0] % 2 == 1
    assert half_of("hit") == "blind"


def test_calibrate_writes_a_table_the_engine_reads(
    tmp_path: Path, labelled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "calibration.yaml"
    assert main(["eval", "--summary", "--calibrate", str(out), str(labelled)]) == 0
    capsys.readouterr()
    table = Calibration.load(out)
    [(rule, counts)] = table.rules.items()
    assert rule.startswith("en.sanctions_lifted.") and counts == (1, 1)
    assert table.prior_mean == 0.5
    assert "set.jsonl" in out.read_text() and LIFT not in out.read_text()


def test_the_report_has_a_reliability_table_and_ece(
    labelled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--json", str(labelled)]) == 0
    report = json.loads(capsys.readouterr().out)
    [b] = report["reliability"]
    assert b["count"] == 2 and b["precision"] == 0.5
    assert report["ece"] == pytest.approx(abs(b["mean_confidence"] - 0.5), abs=1e-3)
