from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policywatch.engine import Engine
from policywatch.models import Article, decode_article
from tests.engine.conftest import NOW, detect, make_article


def types(alerts: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(a.event_type for a in alerts)


def test_seed_article_gives_one_weapons_restriction_lifted_alert(
    engine: Engine, seed_article_json: str
) -> None:
    article = decode_article(seed_article_json)
    alerts = [
        a
        for a in engine.detect(article, detected_at=NOW)
        if a.event_type == "weapons_restriction_lifted"
    ]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.actor.code == "US"
    assert alert.target is not None and alert.target.code == "UA"
    assert "ATACMS" in alert.instruments
    # The headline comes first; the body sentence that proves it comes with it.
    assert [e.field for e in alert.evidence] == ["title", "body"]
    ev = alert.evidence[1]
    assert "has decided to permit Ukraine" in ev.text
    assert article.body[ev.start : ev.end] in ev.text


def test_actor_target_and_instruments_are_extracted(engine: Engine) -> None:
    [alert] = detect(
        engine, "Britain has authorised Kyiv to fire Storm Shadow missiles at bases in Russia."
    )
    assert alert.event_type == "weapons_restriction_lifted"
    assert (alert.actor.code, alert.target and alert.target.code) == ("GB", "UA")
    assert alert.instruments == ("Storm Shadow",)
    assert alert.story_key == "weapons_restriction_lifted|GB|UA"
    assert alert.rule.id.startswith("en.weapons_restriction_lifted.")


@pytest.mark.parametrize(
    "body",
    [
        "Norway has not lifted sanctions on the bank, officials said.",
        "Norway refused to lift sanctions on the bank.",
        "Norway is considering lifting sanctions on the bank.",
        "Norway could lift sanctions on the bank next month.",
        "Norway is expected to lift sanctions on the bank.",
        "The bank urged Norway to lift sanctions on it.",
        "Norway warned it would never lift sanctions on the bank.",
        "Norway denied reports that it had lifted sanctions on the bank.",
        "A court ruled that Norway must lift sanctions on the bank.",
        "In 2019, Norway lifted sanctions on the bank.",
    ],
)
def test_negation_modality_and_attribution_cues_veto(engine: Engine, body: str) -> None:
    assert detect(engine, body) == []


def test_the_same_sentence_without_cues_fires(engine: Engine) -> None:
    [alert] = detect(engine, "Norway lifted sanctions on Iran's central bank on Monday.")
    assert (alert.event_type, alert.actor.code, alert.target and alert.target.code) == (
        "sanctions_lifted",
        "NO",
        "IR",
    )


def test_reported_decisions_are_shielded_from_modal_cues(engine: Engine) -> None:
    [alert] = detect(engine, "Norway said it would lift sanctions on Iran's central bank.")
    assert alert.event_type == "sanctions_lifted"


def test_a_cue_beyond_a_break_word_does_not_veto(engine: Engine) -> None:
    body = "Norway has not commented on the talks, but lifted sanctions on Iran's central bank."
    assert types(detect(engine, body)) == ["sanctions_lifted"]


def test_hearsay_downgrades_confidence(engine: Engine) -> None:
    [plain] = detect(engine, "Norway lifted sanctions on Iran's central bank.")
    [heard] = detect(engine, "Norway reportedly lifted sanctions on Iran's central bank.")
    assert heard.confidence < plain.confidence


def test_no_government_actor_means_no_alert(engine: Engine) -> None:
    assert detect(engine, "The league lifted sanctions on the club after an appeal.") == []
    assert detect(engine, "The company lifted its embargo on reviews of the phone.") == []


def test_the_pronoun_us_is_not_the_united_states(engine: Engine) -> None:
    assert detect(engine, "Let us lift sanctions, the protesters chanted.") == []


def test_passive_agent_and_speaker_give_the_actor(engine: Engine) -> None:
    [by] = detect(engine, "Sanctions on Syria were lifted by Canada on Tuesday.")
    assert (by.actor.code, by.target and by.target.code) == ("CA", "SY")
    [said] = detect(engine, "Sanctions on Syria will be lifted, Canada said on Tuesday.")
    assert said.actor.code == "CA"


def test_a_participle_after_a_comma_does_not_make_the_target_a_speaker(engine: Engine) -> None:
    [alert] = detect(
        engine,
        "The European Union adopted new sanctions against Russia, adding two banks to its list.",
    )
    assert (alert.actor.code, alert.target and alert.target.code) == ("EU", "RU")


def test_one_alert_per_event_type_with_merged_instruments(engine: Engine) -> None:
    body = (
        "Washington allowed Kyiv to strike targets inside Russia with ATACMS missiles. "
        "Officials said the permission also lets Ukraine fire HIMARS rockets across the border. "
        "The Pentagon later authorised Ukraine to use the rockets against Russian airfields."
    )
    alerts = detect(engine, body)
    assert types(alerts) == ["weapons_restriction_lifted"]
    assert set(alerts[0].instruments) >= {"ATACMS", "HIMARS"}


def test_articles_in_languages_without_a_pack_raise_nothing(engine: Engine) -> None:
    body = "Britain has authorised Kyiv to fire Storm Shadow missiles at bases in Russia."
    polish = "Wielka Brytania zezwoliła Kijowowi na użycie pocisków Storm Shadow w Rosji."
    assert detect(engine, polish, language="pl") == []
    assert types(detect(engine, body, language=None)) == ["weapons_restriction_lifted"]
    assert types(detect(engine, body, language="en-GB")) == ["weapons_restriction_lifted"]


def test_scan_reports_only_rules_whose_terms_were_hit(engine: Engine) -> None:
    result = engine.scan(make_article("The weather in the capital was mild."), detected_at=NOW)
    assert result.alerts == () and result.rules_hit == ()
    result = engine.scan(
        make_article("Norway lifted sanctions on Iran's central bank."), detected_at=NOW
    )
    assert "en.sanctions_lifted.lift" in result.rules_evaluated
    assert len(result.rules_evaluated) < engine.rule_count
    assert result.rules_hit == ("en.sanctions_lifted.lift",)


def test_alert_ids_are_deterministic(engine: Engine) -> None:
    body = "Norway lifted sanctions on Iran's central bank."
    assert detect(engine, body)[0].alert_id == detect(engine, body)[0].alert_id


SENTENCES = [
    "Britain has authorised Kyiv to fire Storm Shadow missiles at bases in Russia.",
    "Canada will lift sanctions on two Russian officials, the ministry said.",
    "The weather in Ottawa was mild on Sunday.",
    "Officials debated the budget for hours.",
    "Japan introduced new export controls on chipmaking equipment.",
    "Élysée officials said Paris had paused aid payments to Mali.",
    "France will deploy 500 troops to Romania, the army said.",
]


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=8),
    seps=st.lists(st.sampled_from([" ", "\n", "\n\n", "  "]), min_size=8, max_size=8),
    title=st.sampled_from([None, *SENTENCES]),
)
def test_evidence_offsets_are_exact(
    engine: Engine, picks: list[str], seps: list[str], title: str | None
) -> None:
    body = "".join(p + s for p, s in zip(picks, seps, strict=False))
    article = Article(
        id="h", url=None, source="s", published_at=None, language="en", title=title, body=body
    )
    alerts = engine.detect(article, detected_at=NOW)
    assert len({a.event_type for a in alerts}) == len(alerts)
    for alert in alerts:
        for ev in alert.evidence:
            text = getattr(article, ev.field)
            assert 0 <= ev.start < ev.end <= len(text)
            assert text[ev.start : ev.end] in ev.text
            assert ev.text in text
            offset = text.index(ev.text) if text.count(ev.text) == 1 else None
            if offset is not None:
                assert offset <= ev.start and ev.end <= offset + len(ev.text)
