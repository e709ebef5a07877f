"""Multilingual detection: inflected articles, language resolution, per-pack fixtures, offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from policywatch.engine import Engine
from policywatch.engine.matching.scanner import article_fields
from policywatch.engine.rule_language.loader import builtin_rules_dir
from policywatch.models import Alert
from policywatch.quality.scoring import evaluate, parse_labelled

from .conftest import NOW, detect, make_article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LANGUAGES = ("de", "fr", "es", "uk", "ru")


def types(alerts: list[Alert]) -> list[str]:
    return sorted(a.event_type for a in alerts)


def test_inflected_german_and_ukrainian_articles_raise_alerts(engine: Engine) -> None:
    de = "Berlin erlaubt der Ukraine, deutsche Waffen gegen Ziele in Russland zu nutzen."
    uk = "Євросоюз запровадив нові санкції проти Росії через атаки на енергетику."
    assert types(detect(engine, de, language="de")) == ["weapons_restriction_lifted"]
    alerts = detect(engine, uk, language="uk")
    assert types(alerts) == ["sanctions_imposed"]
    assert alerts[0].actor.code == "EU" and alerts[0].target and alerts[0].target.code == "RU"


def test_a_german_genitive_names_the_actor_and_a_dative_the_target(engine: Engine) -> None:
    genitive = "Die Außenminister der EU haben neue Sanktionen gegen den Iran beschlossen."
    [alert] = detect(engine, genitive, language="de")
    assert (alert.actor.code, alert.target and alert.target.code) == ("EU", "IR")
    dative = (
        "Wie zuvor Washington hat jetzt Deutschland der Ukraine erlaubt, Waffen dort einzusetzen."
    )
    [alert] = detect(engine, dative, language="de")
    assert alert.actor.code == "DE"


def test_a_condition_term_before_the_actor_does_not_hide_the_actor(engine: Engine) -> None:
    # "санкцій" (a condition term) comes before the EU, the trigger after it.
    body = "Під час продовження санкцій Євросоюз виключив зі списку трьох бізнесменів."
    [alert] = detect(engine, body, language="uk")
    assert (alert.event_type, alert.actor.code) == ("sanctions_lifted", "EU")


@pytest.mark.parametrize(
    ("body", "language"),
    [
        (
            "Berlin erlaubt der Ukraine nicht, deutsche Waffen in Russland einzusetzen.",
            "de",
        ),
        (
            "La France n'autorise pas l'Ukraine à utiliser ses missiles en Russie.",
            "fr",
        ),
        ("España no suspende la ayuda a Níger, dijo el ministro.", "es"),
        ("США не зняли обмеження на використання зброї для ударів по території Росії.", "uk"),
        ("Германия рассматривает возможность разрешить Украине удары по территории России.", "ru"),
        ("Die Bundesregierung erwägt, die Sanktionen gegen Syrien aufzuheben.", "de"),
    ],
)
def test_negation_and_modality_cues_veto_in_each_language(
    engine: Engine, body: str, language: str
) -> None:
    assert detect(engine, body, language=language) == []


def test_evidence_offsets_point_into_the_original_text(engine: Engine) -> None:
    body = "Київ заявив: США зняли обмеження на використання зброї для ударів по території Росії."
    (alert,) = detect(engine, body, language="uk")
    ev = alert.evidence[0]
    assert body[ev.start : ev.end].startswith("зняли")
    assert "обмеження" in body[ev.start : ev.end]


def test_an_article_is_matched_only_against_its_own_pack(engine: Engine) -> None:
    ru = "США сняли ограничения на использование американского оружия для ударов по России."
    result = engine.scan(make_article(ru, language="ru"), detected_at=NOW)
    assert result.rules_evaluated and all(r.startswith("ru.") for r in result.rules_evaluated)


def test_a_german_article_tagged_english_is_read_as_german(engine: Engine) -> None:
    body = (
        "Die Europäische Union hat am Montag ein neues Sanktionspaket gegen Russland beschlossen. "
        "Es betrifft vor allem Banken und den Handel mit Flüssiggas."
    )
    assert types(detect(engine, body, language="en")) == ["sanctions_imposed"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_scores_well_on_its_own_fixtures(engine: Engine, language: str) -> None:
    lines = (FIXTURES / f"labelled_{language}.jsonl").read_text(encoding="utf-8").splitlines()
    items = [parse_labelled(line) for line in lines if line.strip()]
    positives = sum(1 for i in items if i.labels.events)
    assert positives >= 24 and len(items) - positives >= 15
    report = evaluate(lambda a: engine.detect(a, detected_at=NOW), items)
    counts = report.by_language[language]
    assert counts.precision >= 0.9 and counts.recall >= 0.85


def test_the_english_pack_is_unchanged_by_the_other_packs() -> None:
    full = Engine.from_paths()
    english_dir = Path(__file__).resolve().parents[2] / "services/policywatch/rules/en"
    # The same confidence table for both: the packs, not the calibration, are compared.
    english = Engine(Engine.from_paths([english_dir]).ruleset, calibration=full.calibration)
    body = "Britain has authorised Kyiv to fire Storm Shadow missiles at bases in Russia."
    article = make_article(body, language="en")
    a = english.detect(article, detected_at=NOW)
    b = full.detect(article, detected_at=NOW)
    assert [x.model_dump() for x in a] == [x.model_dump() for x in b]


def test_other_packs_add_no_matches_on_english_function_words() -> None:
    # Every pack shares one automaton, so a term that is a common English word ("a", "the")
    # in another language's pack costs every English article its throughput.
    words = (
        "the a of to in and is it that for on with as was at by an be this from or are has "
        "have had not but its their they we he she will would said says also after before"
    )
    article = make_article(words + ".")

    def matched(engine: Engine) -> set[str]:
        body = article_fields(article)[1]
        found = engine.pack.automaton.find_matches_as_indexes(body.norm.text, overlapping=True)
        return {body.norm.text[s:e].strip() for _, s, e in found}

    english = Engine.from_paths([builtin_rules_dir() / "en"])
    assert matched(Engine.from_paths()) == matched(english)
