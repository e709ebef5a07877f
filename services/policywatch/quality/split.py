"""The deterministic split of a labelled set into a tuning half and a blind (held-out) half.

An article's half is the parity of the first byte of ``sha256(id)``: odd is blind, even is
tuning. It depends on the id alone, so every run, machine and new article agrees, and adding
articles never moves old ones between halves. Rules and the shipped calibration table may be
tuned on the tuning half only; the blind half is measured, never tuned on.
"""

from __future__ import annotations

import hashlib
from typing import Literal

__all__ = ["HALVES", "Half", "half_of"]

Half = Literal["tuning", "blind"]
HALVES: tuple[Half, ...] = ("tuning", "blind")


def half_of(article_id: str) -> Half:
    return "blind" if hashlib.sha256(article_id.encode("utf-8")).digest()[0] % 2 else "tuning"
