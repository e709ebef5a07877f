"""The ASCII and mostly-ASCII folding fast paths give exactly what ``str.translate`` gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policywatch.engine.text.normalize import _FOLD, _fold

PIECES = [
    "Word ", "the U.S. ", "Kyiv", "’", "“", "”", "—", "é", "É", "ü", "ß", "ﬁ", "Å",
    "e\u0301", "\u0301", "İ", "ſ", "²", "Ж", "обʼєкт", "\u00a0", "\n", "x" * 60,
    "A1-b2;C3!\t~{}", "\x00\x7f",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_fast_fold_equals_translate(text: str) -> None:
    assert _fold(text) == text.translate(_FOLD)
