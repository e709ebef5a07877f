"""Which pack reads an article: its tag, or the detector when the tag is missing or wrong."""

from __future__ import annotations

from policywatch.engine.text.language_id import LanguageResolver
from tests.engine.conftest import make_article


class FakeDetector:
    def __init__(self, code: str, probability: float) -> None:
        self.answer = (code, probability)
        self.calls = 0

    def detect(self, text: str) -> tuple[str, float]:
        self.calls += 1
        return self.answer


def test_a_missing_tag_is_filled_in_by_the_detector() -> None:
    resolver = LanguageResolver({"en", "de"}, FakeDetector("de", 0.99))
    assert resolver.initial(make_article("Text", language=None)) == {"de"}
    unsure = LanguageResolver({"en", "de"}, FakeDetector("de", 0.4))
    assert unsure.initial(make_article("Text", language=None)) == {"en", "de"}
    no_pack = LanguageResolver({"en", "de"}, FakeDetector("pl", 0.99))
    assert no_pack.initial(make_article("Text", language=None)) == frozenset()


def test_a_supported_tag_is_trusted_unless_only_another_language_woke_rules() -> None:
    detector = FakeDetector("de", 0.99)
    resolver = LanguageResolver({"en", "de"}, detector)
    article = make_article("Text", language="en")
    chosen = resolver.initial(article)
    assert chosen == {"en"} and detector.calls == 0
    assert resolver.confirm(article, chosen, ["en", "de"]) == {"en"}
    assert resolver.confirm(article, chosen, []) == {"en"}
    assert detector.calls == 0
    assert resolver.confirm(article, chosen, ["de"]) == {"de"}
    assert detector.calls == 1
