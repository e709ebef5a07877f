from __future__ import annotations

from pathlib import Path

import pytest

from policywatch.engine import Engine
from policywatch.engine.calibration import Calibration, CalibrationError, smoothed_precision
from policywatch.engine.rule_language.loader import builtin_rules_dir
from policywatch.errors import RuleErrors
from policywatch.quality.calibration import (
    calibration_from,
    calibration_yaml,
    expected_calibration_error,
    reliability,
)
from tests.engine.conftest import NOW, make_article

SENTENCE = "Canada will lift sanctions on two Russian officials, the ministry said."


def test_smoothing_pulls_a_rule_with_few_observations_toward_the_prior() -> None:
    # Beta prior with mean 0.6 worth 4 observations: (tp + 2.4) / (tp + fp + 4).
    assert smoothed_precision(1, 0, 0.6, 4) == pytest.approx(3.4 / 5)
    assert smoothed_precision(0, 0, 0.6, 4) == pytest.approx(0.6)
    assert smoothed_precision(30, 10, 0.6, 4) == pytest.approx(32.4 / 44)


def test_the_table_prior_is_the_pooled_precision_and_an_absent_rule_gets_it() -> None:
    table = calibration_from({"a": (6, 2), "b": (0, 4)}, prior_weight=4)
    assert table.prior_mean == pytest.approx(6 / 12)
    assert table.precision("a") == pytest.approx((6 + 2) / 12)
    assert table.precision("b") == pytest.approx(2 / 8)
    assert table.precision("never.scored") == pytest.approx(0.5)


def test_reliability_bins_and_ece_on_a_known_set() -> None:
    scored = [(0.85, True), (0.85, False), (0.85, False), (0.85, False), (0.35, True)]
    bins = reliability(scored)
    assert [(b.low, b.count) for b in bins] == [(0.3, 1), (0.8, 4)]
    assert bins[1].mean_confidence == pytest.approx(0.85)
    assert bins[1].precision == pytest.approx(0.25)
    # 4/5 × |0.85 − 0.25| + 1/5 × |0.35 − 1.0|
    assert expected_calibration_error(scored) == pytest.approx(0.8 * 0.6 + 0.2 * 0.65)
    assert expected_calibration_error([(1.0, True)]) == 0.0
    assert expected_calibration_error([]) == 0.0


def test_a_table_round_trips_through_its_yaml(tmp_path: Path) -> None:
    table = calibration_from({"en.x": (3, 1)})
    path = tmp_path / "calibration.yaml"
    path.write_text(calibration_yaml(table, sources=["fixtures"]))
    loaded = Calibration.load(path)
    assert loaded.rules == {"en.x": (3, 1)}
    assert loaded.precision("en.x") == pytest.approx(table.precision("en.x"), abs=1e-4)


def test_a_broken_table_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "calibration.yaml"
    path.write_text("prior: {mean: 0.6}\nrules: {en.x: {tp: -1, fp: 0}}\n")
    with pytest.raises(CalibrationError, match=r"calibration.yaml.*negative"):
        Calibration.load(path)
    path.write_text("rules: []\n")
    with pytest.raises(CalibrationError, match="prior"):
        Calibration.load(path)


def test_the_engine_reports_calibrated_confidence_times_the_cue_downgrades() -> None:
    raw = Engine.from_paths([builtin_rules_dir() / "en"])
    assert raw.calibration is None  # a directory without a table keeps the rules' confidence
    article = make_article(SENTENCE)
    [plain] = raw.detect(article, detected_at=NOW)
    table = Calibration(0.4, 4.0, {plain.rule.id: (1, 1)})
    calibrated = Engine(raw.ruleset, calibration=table)
    [alert] = calibrated.detect(article, detected_at=NOW)
    spec_confidence = next(r.spec.confidence for r in raw.pack.rules if r.spec.id == alert.rule.id)
    downgrade = plain.confidence / spec_confidence
    assert alert.confidence == pytest.approx((1 + 1.6) / 6 * downgrade, abs=1e-4)
    prior_only = Engine(raw.ruleset, calibration=Calibration(0.4, 4.0, {}))
    [alert] = prior_only.detect(article, detected_at=NOW)
    assert alert.confidence == pytest.approx(0.4 * downgrade, abs=1e-4)


def test_a_low_calibrated_value_does_not_drop_an_alert_that_fires_raw() -> None:
    raw = Engine.from_paths([builtin_rules_dir() / "en"])
    harsh = Engine(raw.ruleset, calibration=Calibration(0.05, 4.0, {}))
    [alert] = harsh.detect(make_article(SENTENCE), detected_at=NOW)
    assert alert.confidence < harsh.min_confidence


def test_a_rule_directory_carries_its_table_and_the_loader_skips_it(tmp_path: Path) -> None:
    for f in (builtin_rules_dir() / "en").glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "calibration.yaml").write_text("prior: {mean: 0.3, weight: 4}\nrules: {}\n")
    engine = Engine.from_paths([tmp_path])
    assert engine.calibration is not None and engine.calibration.prior_mean == 0.3
    # A broken table fails the load like a broken rule file: the detector keeps its last pack.
    (tmp_path / "calibration.yaml").write_text("prior: {mean: 3}\n")
    with pytest.raises(RuleErrors, match=r"calibration.yaml.*prior_mean must be in \[0, 1\]"):
        Engine.from_paths([tmp_path])


def test_the_shipped_pack_has_a_table_and_every_rule_in_it_exists() -> None:
    engine = Engine.from_paths()
    assert engine.calibration is not None
    stale = set(engine.calibration.rules) - set(engine.rule_ids)
    assert not stale, (
        f"rules/calibration.yaml names rules the pack lacks: run `make calibration`: {stale}"
    )
    assert 0.0 < engine.calibration.prior_mean < 1.0
