"""Alert confidence from measured precision: a rule's true and false positives, smoothed.

A rule pack directory may hold a ``calibration.yaml`` (written by ``policywatch eval
--calibrate``): for each rule id its true and false positives on labelled articles, and a prior
(the pack's overall precision, worth ``prior_weight`` observations). A rule's confidence is the
mean of its Beta posterior, ``(tp + m·w) / (tp + fp + w)``: a rule seen on few articles stays near
the pack's precision, one seen on many moves to its own. A rule absent from the table gets the
prior mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policywatch.errors import RuleError

__all__ = ["CALIBRATION_FILE", "Calibration", "CalibrationError", "smoothed_precision"]

#: The table's file name inside a rule pack directory (the rule loader does not read it).
CALIBRATION_FILE = "calibration.yaml"


class CalibrationError(RuleError):
    """A calibration table that cannot be read: a problem of the rule pack it sits in, so
    everything that reports or survives a bad rule file (``rules check``, the detector's
    reload) handles it the same way."""


def smoothed_precision(tp: int, fp: int, prior_mean: float, prior_weight: float) -> float:
    """The mean of Beta(tp + m·w, fp + (1 − m)·w): precision pulled toward ``prior_mean``."""
    return (tp + prior_mean * prior_weight) / (tp + fp + prior_weight)


@dataclass(frozen=True)
class Calibration:
    """Per-rule ``(tp, fp)`` counts and the prior; :meth:`precision` is a rule's confidence."""

    prior_mean: float
    prior_weight: float = 4.0
    rules: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.prior_mean <= 1.0:
            raise CalibrationError(f"prior_mean must be in [0, 1], got {self.prior_mean}")
        if self.prior_weight <= 0:
            raise CalibrationError(f"prior_weight must be positive, got {self.prior_weight}")
        # Computed once: the engine asks for a rule's value once per alert.
        table = {
            rule: smoothed_precision(tp, fp, self.prior_mean, self.prior_weight)
            for rule, (tp, fp) in self.rules.items()
        }
        object.__setattr__(self, "_table", table)

    def precision(self, rule_id: str) -> float:
        """The rule's smoothed precision; the prior mean for a rule the table does not know."""
        table: dict[str, float] = self._table  # type: ignore[attr-defined]
        return table.get(rule_id, self.prior_mean)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prior": {"mean": round(self.prior_mean, 4), "weight": self.prior_weight},
            "rules": {r: {"tp": tp, "fp": fp} for r, (tp, fp) in sorted(self.rules.items())},
        }

    @classmethod
    def from_dict(cls, data: object, *, source: str = "<calibration>") -> Calibration:
        def bad(why: str) -> CalibrationError:
            return CalibrationError(f"not a calibration table: {why}", file=source)

        if not isinstance(data, dict) or not isinstance(data.get("prior"), dict):
            raise bad("expected a mapping with 'prior: {mean, weight}' and 'rules'")
        prior = data["prior"]
        rules: dict[str, tuple[int, int]] = {}
        raw_rules = data.get("rules") or {}
        if not isinstance(raw_rules, dict):
            raise bad("'rules' must map rule ids to {tp, fp}")
        try:
            for rule, counts in raw_rules.items():
                tp, fp = int(counts["tp"]), int(counts["fp"])
                if tp < 0 or fp < 0:
                    raise bad(f"{rule}: counts must not be negative")
                rules[str(rule)] = (tp, fp)
            return cls(float(prior["mean"]), float(prior.get("weight", 4.0)), rules)
        except CalibrationError as exc:
            if exc.file is not None:
                raise
            raise bad(exc.message) from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise bad(repr(exc)) from exc

    @classmethod
    def load(cls, path: Path | str) -> Calibration:
        try:
            text = Path(path).read_text(encoding="utf-8")
            data = yaml.safe_load(text)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CalibrationError(f"cannot read calibration table: {exc}", file=path) from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def find(cls, roots: list[Path]) -> Calibration | None:
        """The table of the first rule directory that has one (``None``: raw confidence)."""
        for root in roots:
            candidate = root / CALIBRATION_FILE
            if root.is_dir() and candidate.is_file():
                return cls.load(candidate)
        return None
