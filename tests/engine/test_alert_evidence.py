"""Evidence: the best match first; a title match also brings the body sentence that proves it."""

from __future__ import annotations

from policywatch.engine import Engine
from policywatch.models import Alert, Article
from tests.engine.conftest import NOW, make_article


def _offsets_exact(article: Article, alert: Alert) -> None:
    for ev in alert.evidence:
        field = article.title if ev.field == "title" else article.body
        assert field is not None
        assert field[ev.start : ev.end] in ev.text
        assert ev.text in field


def test_title_match_also_carries_the_best_body_sentence(engine: Engine) -> None:
    article = make_article(
        "Markets were calm on Monday. The European Union on Monday adopted a fresh sanctions"
        " package against Belarus, targeting its potash exports. More could follow.",
        title="EU imposes new sanctions on Belarus",
    )
    [alert] = engine.detect(article, detected_at=NOW)
    assert alert.event_type == "sanctions_imposed"
    assert [ev.field for ev in alert.evidence] == ["title", "body"]
    assert alert.evidence[0].text == article.title
    assert alert.evidence[1].text.startswith("The European Union on Monday adopted")
    _offsets_exact(article, alert)


def test_title_match_without_a_supporting_body_sentence_has_one_piece_of_evidence(
    engine: Engine,
) -> None:
    article = make_article(
        "Markets were calm on Monday and analysts expected little change.",
        title="EU imposes new sanctions on Belarus",
    )
    [alert] = engine.detect(article, detected_at=NOW)
    assert [ev.field for ev in alert.evidence] == ["title"]
    _offsets_exact(article, alert)


def test_body_sentence_about_another_actor_is_not_attached(engine: Engine) -> None:
    article = make_article(
        "Japan announced new sanctions against Russian banks on Friday.",
        title="EU imposes new sanctions on Belarus",
    )
    [alert] = engine.detect(article, detected_at=NOW)
    assert alert.actor.code == "EU"
    assert [ev.field for ev in alert.evidence] == ["title"]


def test_body_match_keeps_a_single_piece_of_evidence(engine: Engine) -> None:
    article = make_article(
        "The European Union on Monday adopted a fresh sanctions package against Belarus.",
        title="Markets steady ahead of the holidays",
    )
    [alert] = engine.detect(article, detected_at=NOW)
    assert [ev.field for ev in alert.evidence] == ["body"]
    _offsets_exact(article, alert)
