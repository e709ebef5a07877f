"""Lazy sentence breaks against the whole-text reference splitter."""

from __future__ import annotations

from bisect import bisect_right

from hypothesis import given, settings
from hypothesis import strategies as st

from policywatch.engine.text.sentences import FieldText, split_sentences

TOKENS = [
    "word", "Word", "the", "Sanctions", "U.S", "Mr", "Sen", "J", "e", "x1", "Kyïv", "3",
    ".", ".", "!", "?", "…", "...", '"', "”", "’", "(", ")", "«", "»", "[", "“",
    " ", " ", " ", "\n", "\n\n", " \n ", "\t", "\u00a0",
]  # fmt: skip


def reference_sentence_at(text: str, pos: int) -> tuple[int, int]:
    spans = split_sentences(text)
    if not spans:
        return (0, len(text))
    i = max(bisect_right([s for s, _ in spans], pos) - 1, 0)
    return spans[min(i, len(spans) - 1)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_lazy_sentence_breaks_equal_the_reference_splitter(text: str) -> None:
    spans = split_sentences(text)
    assert FieldText("body", text).sentences() == spans
    field = FieldText("body", text)
    for pos in range(len(text) + 1):
        assert field.sentence_at(pos) == reference_sentence_at(text, pos), pos
    for n in (1, 2, 3):
        expected = spans[min(n, len(spans)) - 1][1] if spans else len(text)
        assert FieldText("body", text).lead_end(n) == expected


def test_abbreviations_initials_and_lower_case_continuations_do_not_break() -> None:
    text = 'Sen. Smith met J. Doe in the U.S. on Monday. "Fine," he said. then left.\nNext one'
    field = FieldText("body", text)
    assert [text[s:e] for s, e in field.sentences()] == [
        "Sen. Smith met J. Doe in the U.S. on Monday.",
        '"Fine," he said. then left.',
        "Next one",
    ]
    at = text.index("Doe")
    assert text[slice(*field.sentence_at(at))].startswith("Sen. Smith")


def test_a_photo_caption_before_the_story_is_not_part_of_its_lead() -> None:
    text = (
        "Soldiers unload crates at the port. Photo: Agency/Someone\n"
        "The ministry approved the purchase. It will be paid next year.\n"
    )
    field = FieldText("body", text)
    assert field.lead_end(1) == text.index("purchase.") + len("purchase.")
    plain = FieldText("body", "One sentence here. Another one.")
    assert plain.lead_end(1) == len("One sentence here.")


def test_a_credit_at_the_end_of_a_long_paragraph_does_not_make_it_a_caption() -> None:
    sentence = "The ministry approved the purchase on Monday."
    text = (sentence + " ") * 12 + "Photo: Agency"
    assert FieldText("body", text).lead_end(1) == len(sentence)
