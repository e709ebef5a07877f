from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from policywatch.engine.text.inflect import inflect_phrase
from policywatch.engine.text.normalize import normalize, normalize_cased, words_of


def test_ascii_text_keeps_offsets_without_a_map() -> None:
    n = normalize("U.S.-made Missiles, now!")
    assert n.offsets is None
    assert n.text == " u s  made missiles  now  "


def test_accents_and_case_fold_to_plain_letters() -> None:
    assert normalize("Kyïv ÉLYSÉE Türkiye").text.strip() == "kyiv elysee turkiye"
    assert words_of("Élysée  Palace") == ["elysee", "palace"]


def test_decomposed_accents_are_dropped_with_an_offset_map() -> None:
    original = "Cafe\u0301 Kyi\u0308v sanctions"
    n = normalize(original)
    assert n.offsets is not None
    assert n.text.strip() == "cafe kyiv sanctions"
    start = n.text.index("kyiv")
    end = start + len("kyiv")
    assert original[n.to_original(start) : n.to_original(end)] == "Kyi\u0308v"


def test_cased_normalisation_keeps_case() -> None:
    assert normalize_cased("U.S.") == "U S"
    assert normalize_cased("the  Élysée") == "the Elysee"


@given(st.text(max_size=200))
def test_offsets_map_every_normalised_character_back(text: str) -> None:
    n = normalize(text)
    assert n.text.startswith(" ") and n.text.endswith(" ")
    previous = -1
    for i in range(1, len(n.text)):
        original = n.to_original(i)
        assert 0 <= original <= len(text)
        assert original > previous
        previous = original


def test_english_inflection_covers_regular_and_irregular_forms() -> None:
    def forms(word: str) -> set[str]:
        return {f[0] for f in inflect_phrase([word], "en")}

    assert {"allow", "allows", "allowed", "allowing"} <= forms("allow")
    assert {"permits", "permitted", "permitting"} <= forms("permit")
    assert {"imposed", "imposing", "imposes"} <= forms("impose")
    assert {"authorised", "authorized", "authorizing"} <= forms("authorise")
    assert {"gave", "given", "gives"} <= forms("give")
    assert {"withheld"} <= forms("withhold")
    assert {"licences"} <= forms("licence")
    assert forms("the") == {"the"}


def test_phrases_inflect_and_unknown_languages_do_not() -> None:
    phrases = {" ".join(p) for p in inflect_phrase(["lift", "sanction"], "en")}
    assert {"lifted sanctions", "lifting sanction", "lift sanctions"} <= phrases
    assert inflect_phrase(["lift", "sanction"], "xx") == [("lift", "sanction")]


def test_cyrillic_folds_case_yo_and_apostrophes_without_changing_length() -> None:
    text = "РАКЕТИ Ёлка обʼєкт об’єкт"
    norm = normalize(text)
    assert norm.offsets is None
    assert norm.text == " ракети елка об єкт об єкт "


def test_a_cyrillic_word_typed_with_latin_look_alikes_is_read_in_one_script() -> None:
    # "санкции" with a Latin "a" and "c", and "Мир" with a Latin "M": same length, Cyrillic out
    text = "Нoвые сaнкции; Mир; plain latin"
    norm = normalize(text)
    assert norm.offsets is None
    assert norm.text == " новые санкции  мир  plain latin "
