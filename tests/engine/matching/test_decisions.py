"""Direction, factuality and one type per decision, through the whole engine (own sentences)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policywatch.engine import Engine
from policywatch.models import Alert, Article
from tests.engine.conftest import NOW


def _alerts(
    engine: Engine,
    body: str,
    *,
    title: str | None = None,
    language: str = "en",
    published: str | None = "2025-03-10",
) -> list[Alert]:
    article = Article(
        id="d1",
        url=None,
        source="tests",
        published_at=published,
        language=language,
        title=title,
        body=body,
    )
    return engine.detect(article, detected_at=NOW)


def _types(
    engine: Engine,
    body: str,
    *,
    title: str | None = None,
    language: str = "en",
    published: str | None = "2025-03-10",
) -> list[str]:
    alerts = _alerts(engine, body, title=title, language=language, published=published)
    return sorted(a.event_type for a in alerts)


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        # a reversal governing a restriction turns the restrictive reading around
        (
            "en",
            (
                "For a year, Beijing will suspend its export controls on rare earth magnets, the "
                "commerce ministry said."
            ),
            ["export_controls_eased"],
        ),
        (
            "en",
            (
                "The State Department said its ban on arming the brigade has been lifted after "
                "a review."
            ),
            ["weapons_restriction_lifted"],
        ),
        (
            "de",
            "Die Bundesregierung hat das Verbot von Waffenlieferungen an die Brigade aufgehoben.",
            ["weapons_restriction_lifted"],
        ),
        # a ban on supplying critical materials is an export control, eased when suspended
        (
            "ru",
            "Пекин приостановил запрет на поставки германия в Японию на один год.",
            ["export_controls_eased"],
        ),
        (
            "uk",
            "Пекін запровадив заборону на постачання графіту до Японії.",
            ["export_controls_tightened"],
        ),
        # a renewal changes nothing
        ("en", "Germany extends its ban on arms sales to the kingdom for another six months.", []),
    ],
)
def test_direction_comes_from_the_predicate_that_governs_the_policy(
    engine: Engine, language: str, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, language=language) == expected


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        (
            "en",
            "Did Washington halt arms deliveries to Kyiv?",
            (
                "A post shared widely online claims the deliveries stopped; officials say "
                "shipments go on."
            ),
        ),
        (
            "en",
            None,
            (
                "The bloc will impose sanctions on the officials if the vote is postponed, its "
                "foreign policy chief said."
            ),
        ),
        ("en", None, "The president said sending troops to the region must not be ruled out."),
        (
            "en",
            None,
            (
                "The Pentagon put 8,500 troops on heightened alert for a possible deployment "
                "to Eastern Europe."
            ),
        ),
        (
            "es",
            None,
            (
                "Cualquier decisión que permita a Ucrania atacar con misiles occidentales "
                "sería una escalada, advirtió Moscú."
            ),
        ),
        (
            "fr",
            None,
            "Le président a estimé que l'envoi de troupes au sol ne devait pas être exclu.",
        ),
    ],
)
def test_talk_about_a_decision_is_not_one(
    engine: Engine, language: str, title: str | None, body: str
) -> None:
    assert _types(engine, body, title=title, language=language) == []


def test_a_decision_dated_long_before_publication_is_background(engine: Engine) -> None:
    body = (
        "Washington imposed a trade embargo on the island in 1962, and it has shaped relations "
        "since."
    )
    assert _types(engine, body, published="2024-02-03") == []


def test_a_decision_without_publication_date_is_read_against_detection(engine: Engine) -> None:
    body = (
        "Washington imposed a trade embargo on the island in 1962, and it has shaped relations "
        "since."
    )
    assert _types(engine, body, published=None) == []


def test_an_arms_embargo_lifted_is_one_embargo_event(engine: Engine) -> None:
    body = (
        "The Security Council voted on Friday to lift the arms embargo on the country, ending "
        "restrictions on weapons deliveries to its army."
    )
    types = _types(engine, body)
    assert "embargo_lifted" in types
    assert "weapons_restriction_lifted" not in types


def test_the_mirror_told_later_in_background_does_not_alert(engine: Engine) -> None:
    title = "Canada resumes funding for the relief agency"
    body = (
        "Canada said on Friday it would resume its funding for the relief agency.\n"
        "Ottawa had suspended payments to the agency several weeks earlier."
    )
    assert _types(engine, body, title=title) == ["aid_resumed"]


def test_candidates_record_why_they_were_reversed(engine: Engine) -> None:
    article = Article(
        id="d2",
        url=None,
        source="tests",
        published_at="2025-03-10",
        language="en",
        title=None,
        body=(
            "For a year, Beijing will suspend its export controls on rare earth magnets, the "
            "ministry said."
        ),
    )
    result = engine.scan(article, detected_at=datetime(2025, 3, 10, tzinfo=UTC))
    reversed_ = [c for c in result.candidates if c.notes]
    assert reversed_ and reversed_[0].notes[0].startswith("reversed by")
    assert {a.event_type for a in result.alerts} == {"export_controls_eased"}


def test_a_court_that_is_sanctioned_does_not_veto_like_a_court_that_rules(engine: Engine) -> None:
    sanctioned = "The Treasury imposed sanctions on five judges of the Supreme Court on Thursday."
    ruling = "A federal court blocked the sanctions the Treasury imposed on the shipping firm."
    assert _types(engine, sanctioned) == ["sanctions_imposed"]
    assert _types(engine, ruling) == []


def test_ending_arms_sales_restricts_while_ending_a_ban_permits(engine: Engine) -> None:
    ends_sales = "Slovenia's government on Thursday announced an end to all arms sales to Israel."
    ends_ban = "Rome announced an end to its ban on arms exports to the Emirates on Thursday."
    assert _types(engine, ends_sales) == ["weapons_restriction_imposed"]
    assert _types(engine, ends_ban) == ["weapons_restriction_lifted"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Sweden will halt its suspension of humanitarian aid to the agency.", ["aid_resumed"]),
        ("Washington suspended military aid to the country on Friday.", ["aid_suspended"]),
        (
            "Britain halted arms deliveries to the region on Monday.",
            ["weapons_restriction_imposed"],
        ),
    ],
)
def test_pausing_a_pause_resumes_but_pausing_a_flow_restricts(
    engine: Engine, body: str, expected: list[str]
) -> None:
    assert _types(engine, body) == expected


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # the headline only weighs the step: the body's future tense is the plan, not a decision
        (
            "Tokyo weighs dropping its neighbour from the export white list",
            (
                "Japan will remove South Korea from its white list of trusted trading partners, "
                "a newspaper reported, citing officials."
            ),
            [],
        ),
        (
            "Brussels could add new sanctions on the regime next month",
            "The bloc will impose sanctions on twenty officials of the regime, diplomats said.",
            [],
        ),
        # a hedged headline about one type leaves another type's decision alone
        (
            "Tokyo weighs dropping its neighbour from the export white list",
            "Japan imposed sanctions on three Russian banks on Friday.",
            ["sanctions_imposed"],
        ),
        # a headline that asserts the decision is not a hedge, even next to a hedged one
        (
            "EU imposes sanctions on the regime's officials",
            "The bloc imposed sanctions on twenty officials of the regime on Monday.",
            ["sanctions_imposed"],
        ),
    ],
)
def test_a_hedged_headline_frames_the_body_of_its_type(
    engine: Engine, title: str, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, title=title) == expected


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "Brussels already bans the sale of weapons that could serve internal repression."),
        ("fr", "Paris bloque déjà les ventes d'armes susceptibles de servir à la répression."),
        ("de", "Berlin hat die Rüstungsexporte in das Land bereits gestoppt, sagte ein Sprecher."),
    ],
)
def test_a_measure_already_in_force_is_not_news(engine: Engine, language: str, body: str) -> None:
    assert _types(engine, body, language=language) == []


def test_a_cue_before_a_nominal_event_governs_it_from_its_first_word(engine: Engine) -> None:
    # The event's words begin at "tighten"; "could" governs it, though the trigger ("export
    # controls") is further from the cue than its reach.
    hedged = "Beijing could tighten in the next few weeks its export controls on gallium."
    news = "Beijing tightened its export controls on gallium on Friday."
    assert _types(engine, hedged) == []
    assert _types(engine, news) == ["export_controls_tightened"]


_LEAD = (
    "The prime minister opened the summit with a speech on energy prices.\n"
    "Delegates from forty countries attended the first session in the capital.\n"
    "The talks are expected to last three days, organisers said.\n"
)


def test_a_decision_told_once_past_the_lead_is_a_side_remark(engine: Engine) -> None:
    remark = "Canada imposed sanctions on two officials of the regime on Monday."
    assert _types(engine, _LEAD + remark, title="Summit opens on energy prices") == []


def test_a_decision_in_the_lead_or_told_twice_is_the_news(engine: Engine) -> None:
    decision = "Canada imposed sanctions on two officials of the regime on Monday."
    again = "Ottawa imposed the sanctions over the crackdown, the foreign minister said."
    assert _types(engine, decision + "\n" + _LEAD) == ["sanctions_imposed"]
    assert _types(engine, _LEAD + decision + "\n" + again) == ["sanctions_imposed"]


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Washington ends its hold on a shipment of heavy bombs to the ally",
            "The president said he had released the shipment that his predecessor withheld.",
            ["weapons_restriction_lifted"],
        ),
        (
            None,
            "The White House relinquished its hold on the military aid to the country.",
            ["aid_resumed"],
        ),
        (
            None,
            "The White House put a hold on the military aid to the country on Tuesday.",
            ["aid_suspended"],
        ),
    ],
)
def test_a_hold_is_a_restriction_that_ending_it_lifts(
    engine: Engine, title: str | None, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, title=title) == expected


def test_already_describing_the_object_does_not_veto_the_decision(engine: Engine) -> None:
    body = "Switzerland on Monday lifted several already suspended sanctions against the country."
    assert _types(engine, body) == ["sanctions_lifted"]


def test_would_in_reported_speech_is_a_future_told_not_a_hypothesis(engine: Engine) -> None:
    told = "France said on Sunday that its troops would withdraw from Mali."
    hypothesis = "Paris would withdraw its troops from Mali only after elections there."
    forecast = "Paris said on Monday that the EU would gradually lift its sanctions on Damascus."
    assert _types(engine, told) == ["troop_deployment"]
    assert _types(engine, hypothesis) == []
    # a speaker telling another state's future forecasts it; it does not announce it
    assert _types(engine, forecast) == []


def test_a_german_subject_after_the_verb_is_the_actor(engine: Engine) -> None:
    [alert] = _alerts(
        engine,
        "Wegen der Spannungen schickt die Bundesrepublik 300 weitere Soldaten nach Estland.",
        language="de",
    )
    assert (alert.event_type, alert.actor.code) == ("troop_deployment", "DE")


@pytest.mark.parametrize(
    ("language", "body", "actor"),
    [
        # the dateline's places say where the story was filed: the subject after the verb decides
        (
            "de",
            "Oslo/Bamako (epd) – Nach dem Putsch in Mali setzt Norwegen seine Hilfe für das Land "
            "aus.",
            "NO",
        ),
        # with no state named as such, the dateline decides before an adjective
        (
            "es",
            "OTTAWA - El Gobierno levantó las sanciones contra la aerolínea estatal venezolana.",
            "CA",
        ),
        ("en", "MOSCOW, May 4 - The government banned imports of Georgian wine on Monday.", "RU"),
    ],
)
def test_a_dateline_decides_only_when_the_sentence_names_no_state(
    engine: Engine, language: str, body: str, actor: str
) -> None:
    [alert] = _alerts(engine, body, language=language)
    assert alert.actor is not None
    assert alert.actor.code == actor


@pytest.mark.parametrize(
    ("body", "event_type", "actor"),
    [
        # the restriction's owner decided its lifting, not the state that welcomes it
        (
            "Cyprus on Saturday welcomed the full lifting of a US arms embargo on the island.",
            "embargo_lifted",
            "US",
        ),
        # a commodity between them names what the embargo targets, not its owner
        (
            "Norway on Monday lifted the Russian oil embargo it had in place.",
            "embargo_lifted",
            "NO",
        ),
        # a state between the owner and the noun is the measure's target
        (
            "Ministers acting under the UK's Belarus sanctions regime removed the state airline "
            "from the list on Monday.",
            "sanctions_lifted",
            "GB",
        ),
        # an English state right after "bans" qualifies the goods: their origin, not the owner
        (
            "Beijing bans Norwegian salmon imports from Friday over a listeria scare.",
            "embargo_imposed",
            "CN",
        ),
    ],
)
def test_a_restriction_s_owner_is_the_actor_of_its_change(
    engine: Engine, body: str, event_type: str, actor: str
) -> None:
    [alert] = _alerts(engine, body)
    assert (alert.event_type, alert.actor.code) == (event_type, actor)


def test_a_freeze_among_the_imposed_measures_does_not_reverse_them(engine: Engine) -> None:
    body = "The EU imposes asset freezes and travel bans on 40 officials of the regime."
    assert _types(engine, body) == ["sanctions_imposed"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # "Drohnen" (drones) and "fallen" share a stem with "drohen" and "falls"
        (
            "Nach Angriffen mit Drohnen verhängt die EU neue Sanktionen gegen Teheran.",
            "sanctions_imposed",
        ),
        (
            "Die Auflagen fallen: Berlin erlaubt der Ukraine, deutsche Waffen gegen Ziele in "
            "Russland einzusetzen.",
            "weapons_restriction_lifted",
        ),
    ],
)
def test_german_cues_do_not_fire_on_words_that_share_their_stem(
    engine: Engine, body: str, expected: str
) -> None:
    assert _types(engine, body, language="de") == [expected]


@pytest.mark.parametrize(
    ("language", "body", "actor"),
    [
        (
            "fr",
            "Paris interdit les importations de volaille en provenance du pays dès lundi.",
            "FR",
        ),
        ("es", "Rusia prohíbe las importaciones de flores procedentes de Kenia desde enero.", "RU"),
        ("de", "Russland verbietet die Einfuhr von Obst aus der Türkei ab Januar.", "RU"),
        ("ru", "Россия запретила ввоз овощей из Турции с первого января.", "RU"),
    ],
)
def test_a_ban_on_imports_is_an_embargo_in_every_language(
    engine: Engine, language: str, body: str, actor: str
) -> None:
    [alert] = _alerts(engine, body, language=language)
    assert (alert.event_type, alert.actor.code) == ("embargo_imposed", actor)


def test_no_cue_reaches_across_a_semicolon_or_colon(engine: Engine) -> None:
    body = (
        "Previously the limits were strict; Berlin now allows Kyiv to strike targets inside "
        "Russia with German weapons."
    )
    assert _types(engine, body) == ["weapons_restriction_lifted"]


def test_a_russian_agency_that_bans_imports_acts_for_russia(engine: Engine) -> None:
    [alert] = _alerts(
        engine,
        "Роспотребнадзор запретил ввоз молочной продукции из соседней страны с понедельника.",
        language="ru",
    )
    assert (alert.event_type, alert.actor.code) == ("embargo_imposed", "RU")


def test_a_date_in_a_relative_clause_dates_the_clause_not_the_event(engine: Engine) -> None:
    body = (
        "Estados Unidos levantó este martes la congelación de las ventas de armas que había "
        "decretado en febrero."
    )
    assert _types(engine, body, language="es", published="2025-08-12") == [
        "weapons_restriction_lifted"
    ]


def test_clearing_the_way_for_a_decision_is_not_the_decision(engine: Engine) -> None:
    body = "The deal would clear the way for Ottawa to lift its export controls on drone parts."
    assert _types(engine, body) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "en",
            "The council renewed its arms embargo on the country and targeted sanctions on "
            "eight people for another year.",
        ),
        ("de", "Die EU verhängte die Sanktionen gegen zwölf Personen um ein weiteres Jahr."),
    ],
)
def test_a_measure_kept_for_another_period_is_a_renewal(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


def test_a_lower_case_adjective_decides_only_when_no_state_is_named(engine: Engine) -> None:
    [alert] = _alerts(
        engine,
        (
            "Die Bundesregierung hat nach dem Tod des saudischen Journalisten die "
            "Rüstungslieferungen an das Königreich gestoppt."
        ),
        language="de",
    )
    assert (alert.event_type, alert.actor.code) == ("weapons_restriction_imposed", "DE")


def test_a_question_headline_does_not_hedge_the_news_it_heads(engine: Engine) -> None:
    title = "What do the EU's new sanctions on Russia mean for its banks?"
    body = "The European Union imposed sanctions on three Russian banks on Monday."
    assert _types(engine, body, title=title) == ["sanctions_imposed"]


def test_a_hedged_reversal_in_the_headline_does_not_hedge_the_restriction(
    engine: Engine,
) -> None:
    title = "China may suspend its export controls on gallium"
    body = "China imposed export controls on antimony on Monday, the commerce ministry said."
    assert _types(engine, body, title=title) == ["export_controls_tightened"]


def test_a_side_remark_does_not_make_the_news_a_mirror_told_second(engine: Engine) -> None:
    lead = (
        "The summit opened with a speech on energy prices.\n"
        "Delegates from forty countries attended the first session.\n"
        "The talks will last three days, organisers said.\n"
    )
    body = (
        lead
        + "Denmark scrapped its sanctions on the country last week.\n"
        + "Norway imposed sanctions on the country's ministers on Monday.\n"
        + "Oslo imposed the sanctions over the crackdown, the minister said."
    )
    assert _types(engine, body, title="Summit opens") == ["sanctions_imposed"]


def test_a_state_after_the_restriction_and_a_comma_is_a_speaker_not_its_owner(
    engine: Engine,
) -> None:
    [alert] = _alerts(engine, "The United States lifted its arms embargo, Cyprus said on Saturday.")
    assert alert.actor.code == "US"


@pytest.mark.parametrize(
    ("language", "body", "unchanged"),
    [
        # Spain, France, Russia and Ukraine write "will send" as one word; it is the decision
        (
            "es",
            "El ministro confirmó el jueves que Chile enviará cuatro helicópteros a Ecuador.",
            "El ministro recordó el jueves que Chile envió cuatro helicópteros a Ecuador.",
        ),
        (
            "fr",
            "Le ministre a indiqué jeudi que la Belgique livrera des frégates à la Grèce.",
            "Le ministre a rappelé jeudi que la Belgique livrait des frégates à la Grèce.",
        ),
        (
            "ru",
            "Министр сообщил в четверг, что Белоруссия передаст Сербии две корветы.",
            "Министр напомнил в четверг, что Белоруссия передавала Сербии две корветы.",
        ),
        (
            "uk",
            "Міністр повідомив у четвер, що Литва передасть Україні гелікоптери.",
            "Міністр нагадав у четвер, що Литва передавала Україні гелікоптери.",
        ),
    ],
)
def test_a_future_fused_into_the_supply_verb_is_a_decision(
    engine: Engine, language: str, body: str, unchanged: str
) -> None:
    assert _types(engine, body, language=language) == ["arms_transfer_approved"]
    assert _types(engine, unchanged, language=language) == []


def test_a_state_between_the_reversal_and_the_object_qualifies_the_object(
    engine: Engine,
) -> None:
    alerts = _alerts(
        engine,
        "Officials confirmed the decision on Friday.",
        title="Seoul to resume some Japanese beef imports after ban",
    )
    assert [(a.event_type, a.actor.code if a.actor else None) for a in alerts] == [
        ("embargo_lifted", "KR")
    ]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "Slovakia dropped its objection on Friday, so the EU's sanctions stay as they are."),
        ("en", "Hungary lifted its veto on the sanctions package against Belarus on Monday."),
        ("de", "Ungarn hebt sein Veto gegen das Sanktionspaket am Montag auf."),
        ("fr", "La Hongrie lève son veto sur le paquet de sanctions lundi."),
        # a French or Spanish noun phrase puts the veto further from the sanctions
        ("fr", "La Hongrie a levé son veto sur le nouveau paquet de sanctions contre Moscou."),
        ("es", "Hungría retira su veto al paquete de sanciones este lunes."),
        ("es", "Hungría levantó su veto al nuevo y duro paquete de sanciones contra Moscú."),
        ("ru", "Венгрия сняла вето на пакет санкций в понедельник."),
    ],
)
def test_lifting_a_veto_or_an_objection_does_not_lift_the_measure(
    engine: Engine, language: str, body: str
) -> None:
    assert "sanctions_lifted" not in _types(engine, body, language=language)


def test_what_would_have_happened_did_not_however_long_the_list(engine: Engine) -> None:
    body = (
        "The draft, which would have capped fuel sales, frozen the central bank's reserves, "
        "barred ships from the ports and added six banks to the sanctions list, failed."
    )
    assert _types(engine, body) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "Seoul halted imports of Argentine poultry on Tuesday."),
        ("fr", "Séoul a suspendu mardi les importations de volaille argentine."),
        ("es", "Seúl suspendió el martes las importaciones de aves argentinas."),
        ("de", "Seoul hat am Dienstag die Einfuhr von argentinischem Geflügel ausgesetzt."),
        ("ru", "Сеул во вторник приостановил импорт аргентинской птицы."),
        ("uk", "Сеул у вівторок призупинив імпорт аргентинської птиці."),
    ],
)
def test_halting_imports_is_an_import_ban_in_every_language(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == ["embargo_imposed"]


def test_clearing_a_sale_approves_a_transfer_not_a_use(engine: Engine) -> None:
    alerts = _alerts(
        engine,
        "The notice went to parliament on Tuesday.",
        title="Canberra clears $400m patrol boat and missile sale to Fiji",
    )
    assert [a.event_type for a in alerts] == ["arms_transfer_approved"]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "The president presses partners for a green light to fire the missiles at bases."),
        ("es", "El Gobierno niega que Chile vaya a enviar tropas a Haití."),
    ],
)
def test_a_request_or_a_denial_is_not_the_decision(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


def test_a_word_inside_the_trigger_phrase_does_not_make_its_exception(engine: Engine) -> None:
    body = "Canberra lifts the pause on development aid to Honiara."
    assert _types(engine, body) == ["aid_resumed"]


@pytest.mark.parametrize(
    ("language", "told", "forecast"),
    [
        (
            "en",
            "Its aid to Mali would be suspended from Monday, Germany said.",
            "The EU would lift its sanctions on Syria, France said on Monday.",
        ),
        (
            "de",
            "Die Zahlungen an Mali würden ab sofort ausgesetzt, teilte die Bundesregierung mit.",
            "Die EU würde die Sanktionen gegen Syrien aufheben, sagte Frankreichs Außenminister.",
        ),
    ],
)
def test_a_reporting_clause_after_the_decision_makes_would_its_future(
    engine: Engine, language: str, told: str, forecast: str
) -> None:
    alerts = _alerts(engine, told, language=language)
    assert [(a.event_type, a.actor.code if a.actor else None) for a in alerts] == [
        ("aid_suspended", "DE")
    ]
    assert _types(engine, forecast, language=language) == []


def test_a_cue_before_coordinated_verbs_governs_each_of_them(engine: Engine) -> None:
    proposed = (
        "The Commission on Wednesday proposed suspending trade concessions granted to Cairo "
        "under the partnership accord and imposing sanctions on two Egyptian ministers."
    )
    assert _types(engine, proposed) == []


@pytest.mark.parametrize(
    "body",
    [
        "Beijing placed sanctions on four Canadian lawmakers on Friday.",
        "Ottawa has put sanctions on six Iranian officials, the foreign ministry said.",
        "China decided to take countermeasures against six US drone makers on Friday.",
    ],
)
def test_placing_sanctions_and_deciding_countermeasures_impose_sanctions(
    engine: Engine, body: str
) -> None:
    assert _types(engine, body) == ["sanctions_imposed"]


@pytest.mark.parametrize(
    ("language", "banned", "suspended"),
    [
        (
            "en",
            "Hanoi banned exports of rare earths to Japan on Monday.",
            "Hanoi suspended its ban on rare earth exports to Japan on Monday.",
        ),
        (
            "de",
            "Vietnam verbietet die Ausfuhr von seltenen Erden nach Japan.",
            "Vietnam hebt das Exportverbot für seltene Erden nach Japan auf.",
        ),
        (
            "fr",
            "Hanoï interdit les exportations de terres rares vers le Japon.",
            "Hanoï suspend l'interdiction d'exporter des terres rares vers le Japon.",
        ),
        (
            "es",
            "Hanói prohíbe las exportaciones de tierras raras a Japón.",
            "Hanói suspende la prohibición de exportar tierras raras a Japón.",
        ),
        (
            "ru",
            "Ханой запретил экспорт редкоземельных металлов в Японию.",
            "Ханой приостановил запрет на экспорт редкоземельных металлов в Японию.",
        ),
        (
            "uk",
            "Ханой заборонив експорт рідкісноземельних металів до Японії.",
            "Ханой призупинив заборону на експорт рідкісноземельних металів до Японії.",
        ),
    ],
)
def test_an_export_ban_on_materials_is_an_export_control_and_its_pause_eases_it(
    engine: Engine, language: str, banned: str, suspended: str
) -> None:
    assert _types(engine, banned, language=language) == ["export_controls_tightened"]
    assert _types(engine, suspended, language=language) == ["export_controls_eased"]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("de", "Vietnam stoppt die Lieferung von Reis nach Japan."),
        ("fr", "Le Vietnam suspend les livraisons de riz vers le Japon."),
        ("uk", "В'єтнам зупинив постачання рису до Японії."),
    ],
)
def test_a_delivery_of_other_goods_is_no_weapons_restriction(
    engine: Engine, language: str, body: str
) -> None:
    assert "weapons_restriction_imposed" not in _types(engine, body, language=language)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # the passive's auxiliary "wurden" is not the conditional "würden"
        ("Die EU-Sanktionen gegen Syrien wurden am Montag aufgehoben.", ["sanctions_lifted"]),
        ("Die Sanktionen gegen Syrien würden aufgehoben, wenn Damaskus einlenkt.", []),
        # "konnte" (managed to) is not "könnte" (could)
        (
            "Die EU konnte sich am Montag auf neue Sanktionen gegen Belarus einigen.",
            ["sanctions_imposed"],
        ),
        ("Die EU könnte sich bald auf neue Sanktionen gegen Belarus einigen.", []),
        ("Der Entwurf hätte neue Sanktionen gegen Belarus verhängt.", []),
    ],
)
def test_german_cues_keep_their_umlauts(engine: Engine, body: str, expected: list[str]) -> None:
    assert _types(engine, body, language="de") == expected


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        # words that share a stem with a cue or a list word, in other senses
        (
            "es",
            "Washington impone sanciones a Irán, según fuentes diplomáticas.",
            ["sanctions_imposed"],
        ),
        (
            "es",
            "Pekín suspende las importaciones de carne de vacuno de Brasil.",
            ["embargo_imposed"],
        ),
        ("es", "Chile envía ayuda militar a Ecuador.", []),
        ("fr", "Ottawa impose maintenant des sanctions à l'Iran.", ["sanctions_imposed"]),
        ("fr", "Ottawa envoie de l'aide militaire à l'Ukraine.", []),
        ("de", "Berlin hat kurzfristig Hilfe für die Ukraine zugesagt.", []),
        # preparing a package is not adopting it
        ("es", "Bruselas prepara un nuevo paquete de sanciones contra Rusia.", []),
        ("fr", "Bruxelles prépare un nouveau paquet de sanctions contre la Russie.", []),
        # a German sentence that opens with its article names its subject
        (
            "de",
            "Der Kreml hat Sanktionen gegen 20 britische Politiker verhängt.",
            ["sanctions_imposed"],
        ),
    ],
)
def test_words_in_other_senses_and_preparations(
    engine: Engine, language: str, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, language=language) == expected


@pytest.mark.parametrize(
    ("language", "body", "actor"),
    [
        ("fr", "Les sanctions contre la Syrie sont levées, a annoncé la France lundi.", "FR"),
        ("es", "Las sanciones contra Siria quedan levantadas, anunció España el lunes.", "ES"),
        ("en", "The arms embargo on the island was lifted, said the United Nations.", "UN"),
    ],
)
def test_the_state_after_an_inverted_reporting_verb_is_the_speaker(
    engine: Engine, language: str, body: str, actor: str
) -> None:
    alerts = _alerts(engine, body, language=language)
    assert [a.actor.code if a.actor else None for a in alerts] == [actor]


@pytest.mark.parametrize(
    ("language", "passive"),
    [
        ("fr", "La suspension de l'aide militaire au Mali a été confirmée lundi par la France."),
        ("es", "La suspensión de la ayuda militar a Malí fue confirmada el lunes por España."),
    ],
)
def test_an_agent_after_a_passive_auxiliary_is_the_decider(
    engine: Engine, language: str, passive: str
) -> None:
    alerts = _alerts(engine, passive, language=language)
    assert [(a.event_type, a.actor.code if a.actor else None) for a in alerts] == [
        ("aid_suspended", language.upper())
    ]


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        (
            "de",
            "Peking erlaubt wieder die Einfuhr von Rindfleisch aus Uruguay.",
            ["embargo_lifted"],
        ),
        ("fr", "Pékin reprend les importations de bœuf uruguayen.", ["embargo_lifted"]),
        ("es", "Pekín vuelve a permitir la importación de carne uruguaya.", ["embargo_lifted"]),
        ("de", "Japan sanktioniert zwölf Firmen aus Belarus.", ["sanctions_imposed"]),
        ("fr", "Le Japon sanctionne douze entreprises russes.", ["sanctions_imposed"]),
        ("es", "Japón sanciona a doce empresas rusas.", ["sanctions_imposed"]),
    ],
)
def test_imports_allowed_again_and_the_verb_to_sanction(
    engine: Engine, language: str, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, language=language) == expected


@pytest.mark.parametrize(
    ("language", "lifted", "paused"),
    [
        (
            "es",
            "Washington levanta la pausa en la ayuda militar a Ucrania.",
            "Washington pausó la ayuda militar a Ucrania.",
        ),
        (
            "fr",
            "Washington lève la pause de l'aide militaire à l'Ukraine.",
            "Washington a mis en pause l'aide militaire à l'Ukraine.",
        ),
        (
            "de",
            "Washington hebt die Pause bei der Militärhilfe für die Ukraine auf.",
            "Washington pausiert die Militärhilfe für die Ukraine.",
        ),
        (
            "ru",
            "Вашингтон снял паузу в военной помощи Украине.",
            "США поставили на паузу военную помощь Украине.",
        ),
    ],
)
def test_a_pause_on_aid_suspends_it_and_lifting_the_pause_resumes_it(
    engine: Engine, language: str, lifted: str, paused: str
) -> None:
    assert _types(engine, lifted, language=language) == ["aid_resumed"]
    assert _types(engine, paused, language=language) == ["aid_suspended"]


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        (
            "es",
            "Las sanciones contra Irán fueron levantadas por Francia.",
            [("sanctions_lifted", "FR")],
        ),
        (
            "fr",
            "L'embargo sur les armes contre l'Iran a été levé par la France.",
            [("embargo_lifted", "FR")],
        ),
        (
            "es",
            "España levanta las sanciones contra Rusia, una medida que fue criticada por Ucrania.",
            [("sanctions_lifted", "ES")],
        ),
        (
            "es",
            "Francia suspende su ayuda militar a Malí, una decisión que fue aplaudida por Argelia.",
            [("aid_suspended", "FR")],
        ),
        (
            "en",
            "Sanctions against Iran were eased on Monday, the minister told Russia's state "
            "broadcaster.",
            [],
        ),
        (
            "en",
            "Sanctions on Iran were lifted, with member states France and Germany abstaining.",
            [],
        ),
        (
            "en",
            "Britain, whose envoy was not surprised, expelled two diplomats from London and "
            "imposed sanctions on Iran.",
            [("sanctions_imposed", "GB")],
        ),
        (
            "en",
            "Germany would lift its sanctions on Russia next month, Berlin said.",
            [("sanctions_lifted", "DE")],
        ),
        (
            "en",
            "Germany would lift its sanctions on Russia next month, said Berlin.",
            [("sanctions_lifted", "DE")],
        ),
        (
            "de",
            "Der Ukraine wird Deutschland weitere Kampfpanzer liefern.",
            [("arms_transfer_approved", "DE")],
        ),
        (
            "de",
            "Der Kreml hat Sanktionen gegen 20 britische Politiker verhängt.",
            [("sanctions_imposed", "RU")],
        ),
        ("de", "Der Entwurf hätte neue Sanktionen gegen Belarus verhängt.", []),
    ],
)
def test_the_reviewed_edges_of_agents_speakers_conjuncts_and_articles(
    engine: Engine, language: str, body: str, expected: list[tuple[str, str]]
) -> None:
    alerts = _alerts(engine, body, language=language)
    assert [(a.event_type, a.actor.code if a.actor else None) for a in alerts] == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # German separable verbs leave their particle at the end of the clause
        ("Die EU setzt die Sanktionen gegen Belarus für sechs Monate aus.", ["sanctions_lifted"]),
        ("Die EU hebt die Sanktionen gegen Syrien auf.", ["sanctions_lifted"]),
        ("China setzt das Exportverbot für Gallium in die USA aus.", ["export_controls_eased"]),
        ("China setzt die Ausfuhr von Gallium in die USA aus.", ["export_controls_tightened"]),
        ("Die Bundesregierung stellt die Zahlungen an Niger ein.", ["aid_suspended"]),
        (
            "Japan führt Exportbeschränkungen für Halbleiteranlagen ein.",
            ["export_controls_tightened"],
        ),
        # "lehnt ... ab" refuses
        ("Berlin lehnt die Lieferung von Taurus-Marschflugkörpern an die Ukraine ab.", []),
    ],
)
def test_a_german_separable_verb_is_read_with_its_particle(
    engine: Engine, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, language="de") == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a passive lifting at the end of a long subject
        (
            "Limits on firing British-supplied cruise missiles at bases inside Russia have been "
            "lifted, officials in London said.",
            ["weapons_restriction_lifted"],
        ),
        # a negated passive after the trigger
        ("Export restrictions on Dutch chip machines will not be eased, the Hague said.", []),
        # the irregular participle of "greenlight"
        (
            "Washington greenlit the sale of 20 F-16 fighter jets to Turkey on Friday.",
            ["arms_transfer_approved"],
        ),
        # "frozen" as an adjective of what is released
        (
            "The EU released 900 million euros in frozen funds to Hungary on Monday.",
            ["aid_resumed"],
        ),
    ],
)
def test_english_passives_negations_and_irregular_forms(
    engine: Engine, body: str, expected: list[str]
) -> None:
    assert _types(engine, body) == expected


def test_the_lead_s_decision_outranks_a_surer_one_deeper_in_the_body(engine: Engine) -> None:
    body = (
        "Seoul will require licences for exports of gallium and graphite from May, the trade "
        "ministry said on Monday.\n\nExporters will have to name the end user of each cargo."
        "\n\nPrices rose in Rotterdam.\n\nAnalysts said the timing was telling.\n\nJapan "
        "tightened its export controls on chipmaking equipment for Korea, they noted."
    )
    [alert] = _alerts(engine, body)
    assert (alert.event_type, alert.actor.code) == ("export_controls_tightened", "KR")


@pytest.mark.parametrize(
    ("title", "actor"),
    [
        # the headline's subject leads; the state after it qualifies a noun
        ("Canberra widens Iran measures with new export ban list", "AU"),
        # after a kicker, the subject is the first state of the headline proper
        ("Russia-Ukraine war live: Norway allows use of its missiles on Russian soil", "NO"),
    ],
)
def test_a_headline_s_subject_comes_first(engine: Engine, title: str, actor: str) -> None:
    alerts = _alerts(engine, "Officials gave no further details.", title=title)
    assert [a.actor.code for a in alerts] == [actor]


def test_an_asset_freeze_is_a_sanction_not_a_pause_that_eases(engine: Engine) -> None:
    body = "The EU imposed asset freezes and new export bans on 30 Iranian firms."
    assert _types(engine, body) == ["export_controls_tightened", "sanctions_imposed"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # withdrawing the permission that allowed something restricts it
        (
            "Oslo has revoked the licences that allowed local firms to export chipmaking "
            "equipment to China, the trade ministry said.",
            ["export_controls_tightened"],
        ),
        (
            "Ottawa suspended 12 permits that allowed Canadian companies to export military "
            "goods and technology to the kingdom, the minister said.",
            [],
        ),
        # granting one stays permissive
        (
            "Oslo has granted licences that allow local firms to export chipmaking equipment "
            "to China, the trade ministry said.",
            ["export_controls_eased"],
        ),
    ],
)
def test_revoking_a_permission_restricts(engine: Engine, body: str, expected: list[str]) -> None:
    assert _types(engine, body) == expected


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "fr",
            "La Belgique a retiré l'autorisation donnée à l'Ukraine d'utiliser ses missiles "
            "contre le territoire russe.",
        ),
        (
            "de",
            "Oslo hat die Erlaubnis für die Ukraine widerrufen, norwegische Waffen gegen Ziele "
            "in Russland einzusetzen.",
        ),
        (
            "es",
            "Lisboa revocó el permiso a Ucrania para usar sus misiles contra territorio ruso.",
        ),
        (
            "ru",
            "Осло отозвал разрешение Украине использовать норвежские ракеты для ударов по "
            "территории России.",
        ),
        (
            "uk",
            "Осло відкликав дозвіл Україні використовувати норвезькі ракети для ударів по "
            "території Росії.",
        ),
    ],
)
def test_withdrawing_a_permission_to_strike_restricts_in_every_language(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == ["weapons_restriction_imposed"]


@pytest.mark.parametrize(
    ("language", "body", "actor", "target"),
    [
        # the goods' adjective names their origin; the state they go into decides
        ("ru", "Ввоз грузинских вин в Россию запрещен с 1 марта.", "RU", "GE"),
        ("ru", "С 1 марта ввоз в Россию молдавских яблок временно запрещен.", "RU", "MD"),
        ("uk", "Ввезення до Польщі українського зерна заборонено до кінця року.", "PL", "UA"),
    ],
)
def test_an_import_ban_is_decided_where_the_goods_go(
    engine: Engine, language: str, body: str, actor: str, target: str
) -> None:
    [alert] = _alerts(engine, body, language=language)
    assert alert.target is not None
    assert (alert.event_type, alert.actor.code, alert.target.code) == (
        "embargo_imposed",
        actor,
        target,
    )


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "Eight months after Ottawa froze its aid to the agency, its schools are closing."),
        ("en", "A decade ago this week, Moscow banned imports of Polish apples."),
        ("fr", "Huit mois après qu'Ottawa a gelé son aide à l'agence, ses écoles ferment."),
        ("es", "Ocho meses después de que Ottawa congelara su ayuda a la agencia, cierran."),
    ],
)
def test_a_decision_dated_by_a_span_of_months_or_decades_is_background(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        # a modal verb governs its whole clause, however long the way to the trigger
        (
            "fr",
            "Les ministres de l'Union européenne devraient donner mardi à Luxembourg leur feu "
            "vert à une levée partielle des sanctions visant la Biélorussie.",
        ),
        ("de", "Die Außenminister der EU beraten am Montag über eine Ausweitung der Sanktionen."),
    ],
)
def test_a_modal_governs_its_clause_beyond_a_few_words(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "en",
            "Norway's defence minister on Monday defended the decision to station 200 soldiers "
            "in Finnmark for good.",
        ),
        ("fr", "La Norvège s'apprête à alléger une partie de ses sanctions contre la Syrie."),
        ("es", "Noruega se dispone a aliviar parte de sus sanciones contra Siria."),
    ],
)
def test_a_decision_defended_or_about_to_be_taken_is_no_news(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "Since Oslo froze its aid to the ministry, rural clinics have closed one by one."),
        ("en", "Under the sanctions imposed by Canada, the airline has lost its leasing deals."),
        ("de", "Seit Oslo die Hilfe für das Ministerium eingefroren hat, schließen Kliniken."),
        ("fr", "Depuis qu'Oslo a gelé son aide au ministère, les dispensaires ferment."),
        ("es", "Desde que Oslo congeló su ayuda al ministerio, cierran los dispensarios."),
        ("ru", "С тех пор как Осло заморозил помощь министерству, закрываются клиники."),
        ("uk", "Відтоді як Осло заморозив допомогу міністерству, закриваються клініки."),
    ],
)
def test_a_decision_that_opens_an_ongoing_state_is_its_background(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "title", "body", "expected"),
    [
        (
            "en",
            "Analysis: Canada's new sanctions on Tehran will not bite",
            "Canada imposed sanctions on 20 Iranian officials on Monday.",
            [],
        ),
        (
            "de",
            "Kommentar | Kanadas Sanktionen gegen Teheran greifen zu kurz",
            "Kanada hat am Montag Sanktionen gegen 20 iranische Funktionäre verhängt.",
            [],
        ),
        # a wire's label in capitals, glued to a hyphen
        (
            "en",
            "ANALYSIS-Canada's new sanctions on Tehran will not bite",
            "Canada imposed sanctions on 20 Iranian officials on Monday.",
            [],
        ),
        # a live blog's kicker is no genre: its entries are news
        (
            "en",
            "Iran live: Canada imposes sanctions on 20 officials",
            "Canada imposed sanctions on 20 Iranian officials on Monday.",
            ["sanctions_imposed"],
        ),
    ],
)
def test_a_headline_labelled_comment_or_analysis_raises_nothing(
    engine: Engine, language: str, title: str, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, title=title, language=language) == expected


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Slovakia again blocks EU aid to Moldova", "No date was set for a new vote."),
        ("Hungary halts EU reimbursements for arms sent to Kyiv", "No date was set for a vote."),
    ],
)
def test_a_member_holding_up_its_bloc_s_measure_changes_no_policy(
    engine: Engine, title: str, body: str
) -> None:
    assert _types(engine, body, title=title) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("fr", "Le Chili suspend par décret ses exportations de charbon vers la Birmanie."),
        ("es", "Chile suspende por decreto sus exportaciones de carbón a Birmania."),
        ("ru", "Чили запретила экспорт угля в Мьянму."),
    ],
)
def test_a_ban_on_exports_to_a_country_is_an_embargo_on_it(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == ["embargo_imposed"]


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        ("de", "EU-Gipfel: Neue Iran-Sanktionen erwartet", "Die Minister treffen sich am Montag."),
        ("fr", "Sanctions attendues contre Téhéran lundi", "Les ministres se réunissent lundi."),
        ("es", "Sanciones previstas contra Teherán el lunes", "Los ministros se reúnen el lunes."),
    ],
)
def test_a_measure_expected_or_planned_is_no_decision(
    engine: Engine, language: str, title: str, body: str
) -> None:
    assert _types(engine, body, title=title, language=language) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        # the agent decided, not the state named first; a sentence that reports the Kremlin's
        # reaction instead ("a dénoncé") reports no decision at all
        (
            "fr",
            "Selon le Kremlin, les sanctions adoptées lundi par le Canada contre Moscou visent "
            "douze banques.",
        ),
        (
            "es",
            "Según el Kremlin, las sanciones adoptadas el lunes por Canadá contra Moscú afectan a "
            "doce bancos.",
        ),
    ],
)
def test_a_participle_makes_its_agent_the_decider(engine: Engine, language: str, body: str) -> None:
    [alert] = _alerts(engine, body, language=language)
    assert (alert.event_type, alert.actor.code) == ("sanctions_imposed", "CA")


@pytest.mark.parametrize(
    ("language", "deferred", "decided", "event_type"),
    [
        (
            "en",
            "Ottawa postponed new sanctions on Iranian officials until the spring.",
            "Ottawa imposed new sanctions on Iranian officials on Monday.",
            "sanctions_imposed",
        ),
        (
            "en",
            "Oslo has put off resuming its aid to the Somali health ministry.",
            "Oslo has resumed its aid to the Somali health ministry.",
            "aid_resumed",
        ),
        (
            "de",
            "Österreich verschiebt die Wiederaufnahme der Hilfszahlungen an Mali auf das "
            "kommende Jahr.",
            "Österreich nimmt die Hilfszahlungen an Mali wieder auf.",
            "aid_resumed",
        ),
        (
            "fr",
            "La Belgique a reporté la levée de ses sanctions contre le Burundi.",
            "La Belgique a levé ses sanctions contre le Burundi.",
            "sanctions_lifted",
        ),
        (
            "es",
            "Chile aplazó la suspensión de la ayuda a Nicaragua hasta después de las elecciones.",
            "Chile suspendió la ayuda a Nicaragua.",
            "aid_suspended",
        ),
        (
            "ru",
            "Казахстан отложил введение запрета на ввоз российского бензина.",
            "Казахстан ввел запрет на ввоз российского бензина.",
            "embargo_imposed",
        ),
        (
            "uk",
            "Польща відклала запровадження заборони на ввезення українського зерна.",
            "Польща запровадила заборону на ввезення українського зерна.",
            "embargo_imposed",
        ),
        (
            "es",
            "Suiza esperará a Bruselas antes de decidir sobre nuevas sanciones a Rusia.",
            "Suiza aprobó nuevas sanciones contra Rusia.",
            "sanctions_imposed",
        ),
    ],
)
def test_a_decision_postponed_is_not_taken(
    engine: Engine, language: str, deferred: str, decided: str, event_type: str
) -> None:
    assert _types(engine, deferred, language=language) == []
    assert _types(engine, decided, language=language) == [event_type]


@pytest.mark.parametrize(
    ("language", "company", "government", "actor"),
    [
        (
            "en",
            "A Finnish shell maker has halted all shipments of ammunition to Ukraine.",
            "Finland has halted all shipments of ammunition to Ukraine.",
            "FI",
        ),
        (
            "de",
            "Ein schwedischer Rüstungskonzern stoppt seine Waffenlieferungen an Israel.",
            "Schweden stoppt seine Waffenlieferungen an Israel.",
            "SE",
        ),
        (
            "fr",
            "Un fabricant français suspend ses livraisons d'armes à Israël.",
            "La France suspend ses livraisons d'armes à Israël.",
            "FR",
        ),
        (
            "es",
            "Un fabricante español suspende sus envíos de armas a Israel.",
            "España suspende sus envíos de armas a Israel.",
            "ES",
        ),
        (
            "ru",
            "Финская компания приостановила поставки оружия Украине.",
            "Финляндия приостановила поставки оружия Украине.",
            "FI",
        ),
        (
            "uk",
            "Польська компанія припинила постачання зброї Україні.",
            "Польща припинила постачання зброї Україні.",
            "PL",
        ),
    ],
)
def test_a_company_s_decision_is_not_policy(
    engine: Engine, language: str, company: str, government: str, actor: str
) -> None:
    assert _types(engine, company, language=language) == []
    [alert] = _alerts(engine, government, language=language)
    assert alert.actor is not None
    assert (alert.event_type, alert.actor.code) == ("weapons_restriction_imposed", actor)


def test_companies_named_as_objects_do_not_make_the_decision_theirs(engine: Engine) -> None:
    body = "Britain removed 12 Iranian entities, including two banks, from its sanctions list."
    assert _types(engine, body) == ["sanctions_lifted"]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "Hungary's ban on imports of Ukrainian grain has now been in force for six months."),
        (
            "de",
            "Ungarn verbietet die Einfuhr von ukrainischem Getreide, das Verbot gilt seit Monaten.",
        ),
        (
            "fr",
            "L'interdiction hongroise des importations de céréales ukrainiennes est en vigueur "
            "depuis des mois.",
        ),
        (
            "es",
            "La prohibición húngara de importar cereales ucranianos está en vigor desde hace "
            "meses.",
        ),
        ("ru", "Венгерский запрет на ввоз украинского зерна действует уже полгода."),
        ("uk", "Угорська заборона на ввезення українського зерна діє вже пів року."),
    ],
)
def test_a_measure_told_as_lasting_is_not_news(engine: Engine, language: str, body: str) -> None:
    assert _types(engine, body, language=language) == []


def test_the_age_of_a_measure_that_is_lifted_does_not_hide_the_lifting(engine: Engine) -> None:
    body = (
        "The Security Council lifted the arms embargo on Liberia on Tuesday, ending measures in "
        "place for more than a decade."
    )
    assert _types(engine, body) == ["embargo_lifted"]


@pytest.mark.parametrize(
    "body",
    [
        # the Swiss government is the Federal Council; a sentence's first article is no dative
        "Der Bundesrat hat am Mittwoch Sanktionen gegen zwölf belarussische Offiziere verhängt.",
        "Der Schweizer Bundesrat übernimmt die neuen Sanktionen der EU gegen Belarus.",
    ],
)
def test_the_federal_council_decides_for_switzerland(engine: Engine, body: str) -> None:
    [alert] = _alerts(engine, body, language="de")
    assert alert.actor is not None
    assert (alert.event_type, alert.actor.code) == ("sanctions_imposed", "CH")


@pytest.mark.parametrize(
    ("language", "body", "event_type", "actor"),
    [
        # headlines tell decisions in the present; wires in the future and the masculine past
        (
            "uk",
            "Японія повертає Південну Корею до білого списку партнерів.",
            "export_controls_eased",
            "JP",
        ),
        ("uk", "Німеччина надасть Україні ще дві системи Patriot.", "arms_transfer_approved", "DE"),
        (
            "ru",
            "Япония возвращает Южную Корею в белый список партнеров.",
            "export_controls_eased",
            "JP",
        ),
        ("ru", "Пентагон решил передать Украине ракеты ATACMS.", "arms_transfer_approved", "US"),
        ("ru", "Германия приостанавливает финансирование агентства в Газе.", "aid_suspended", "DE"),
    ],
)
def test_russian_and_ukrainian_decisions_in_every_tense(
    engine: Engine, language: str, body: str, event_type: str, actor: str
) -> None:
    [alert] = _alerts(engine, body, language=language)
    assert alert.actor is not None
    assert (alert.event_type, alert.actor.code) == (event_type, actor)


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "The UN World Food Programme has suspended food aid deliveries to northern Gaza."),
        ("ru", "Всемирная продовольственная программа ООН прекращает доставку помощи в Газу."),
        ("uk", "Агентство ООН у справах біженців призупиняє виплати допомоги в Газі."),
    ],
)
def test_a_un_agency_pausing_its_own_work_is_not_the_un_deciding(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "body", "actor"),
    [
        ("de", "Deutschland schickt zwei Fregatten ins Rote Meer.", "DE"),
        (
            "de",
            "Die Bundeswehr beteiligt sich mit 700 Soldaten an der EU-Mission im Roten Meer.",
            "DE",
        ),
        (
            "en",
            "Britain will send a frigate and a destroyer to the Red Sea, the ministry said.",
            "GB",
        ),
        ("fr", "La France enverra une frégate en mer Rouge.", "FR"),
        ("es", "España enviará una fragata al mar Rojo.", "ES"),
        ("uk", "Велика Британія направила есмінець у Червоне море.", "GB"),
    ],
)
def test_warships_sent_to_a_sea_are_a_deployment_not_a_transfer(
    engine: Engine, language: str, body: str, actor: str
) -> None:
    [alert] = _alerts(engine, body, language=language)
    assert alert.actor is not None
    assert (alert.event_type, alert.actor.code) == ("troop_deployment", actor)


def test_arms_for_a_state_beside_a_deployment_stay_a_transfer(engine: Engine) -> None:
    body = "Britain will send troops to Estonia and tanks to Ukraine."
    assert _types(engine, body) == ["arms_transfer_approved", "troop_deployment"]


@pytest.mark.parametrize(
    ("language", "body", "actor"),
    [
        ("fr", "Ottawa met fin aux nouvelles exportations d'armes vers Israël.", "CA"),
        ("fr", "Le Canada n'autorisera plus de nouvelles exportations d'armes vers Israël.", "CA"),
        ("es", "España pone fin a las ventas de armas a Israel.", "ES"),
        ("de", "Die Niederlande genehmigen keine weiteren Rüstungsexporte nach Israel.", "NL"),
    ],
)
def test_ending_arms_exports_restricts_them_in_every_language(
    engine: Engine, language: str, body: str, actor: str
) -> None:
    [alert] = _alerts(engine, body, language=language)
    assert alert.actor is not None
    assert (alert.event_type, alert.actor.code) == ("weapons_restriction_imposed", actor)


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "en",
            "Since it took effect, Slovenia's ban on imports of goods from the settlements has "
            "drawn mixed reactions.",
        ),
        (
            "fr",
            "Deux semaines après son adoption, l'interdiction slovène des importations de "
            "produits des colonies suscite des réactions.",
        ),
        (
            "de",
            "Seit ihrer Einführung sorgt das slowenische Einfuhrverbot für Waren aus den "
            "Siedlungen für Streit.",
        ),
        (
            "es",
            "Desde su entrada en vigor, la prohibición eslovena de importar productos de los "
            "asentamientos divide a Europa.",
        ),
        ("ru", "С момента введения словенский запрет на ввоз товаров из поселений вызывает споры."),
        (
            "uk",
            "З моменту запровадження словенська заборона на ввезення товарів із поселень "
            "викликає суперечки.",
        ),
    ],
)
def test_a_measure_dated_from_its_own_adoption_is_background(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "en",
            "Exports recovered after China halted beef imports from Brazil earlier this year, "
            "figures showed.",
        ),
        (
            "de",
            "China stoppte die Einfuhr von brasilianischem Rindfleisch Anfang des Jahres, die "
            "Exporte haben sich erholt.",
        ),
        (
            "fr",
            "La Chine a suspendu les importations de bœuf brésilien plus tôt cette année, les "
            "exportations se redressent.",
        ),
        (
            "es",
            "China suspendió las importaciones de carne brasileña a principios de este año, pero "
            "las ventas se recuperan.",
        ),
        (
            "ru",
            "Китай запретил ввоз бразильской говядины в начале этого года, но экспорт "
            "восстановился.",
        ),
        (
            "uk",
            "Китай заборонив ввезення бразильської яловичини на початку цього року, але експорт "
            "відновився.",
        ),
    ],
)
def test_a_relative_date_after_the_decision_makes_it_background(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "en",
            "Assets of the listed men are frozen, and payments to them by residents are "
            "prohibited, Tokyo said.",
        ),
        (
            "de",
            "Die Vermögenswerte der gelisteten Personen werden eingefroren, Zahlungen an sie sind "
            "verboten, teilte Bern mit.",
        ),
        (
            "fr",
            "Les avoirs des personnes visées sont gelés et tout paiement en leur faveur est "
            "interdit, a indiqué Ottawa.",
        ),
        (
            "es",
            "Los activos de las personas señaladas quedan congelados y se prohíben los pagos a su "
            "favor, informó Madrid.",
        ),
        (
            "ru",
            "Активы включённых в список лиц заморожены, любые платежи в их пользу запрещены, "
            "сообщил Токио.",
        ),
        (
            "uk",
            "Активи осіб зі списку заморожено, будь-які платежі на їхню користь заборонено, "
            "повідомив Лондон.",
        ),
    ],
)
def test_frozen_assets_and_barred_payments_are_a_sanction_not_an_aid_freeze(
    engine: Engine, language: str, body: str
) -> None:
    assert "aid_suspended" not in _types(engine, body, language=language)


def test_a_verb_of_support_is_not_the_noun_aid(engine: Engine) -> None:
    # "unterstützen" (to back) shares its stem with "Unterstützung" (support, aid)
    body = (
        "Die US-Regierung hat Kuba von der Liste der Staaten gestrichen, die den Terrorismus "
        "unterstützen."
    )
    assert "aid_suspended" not in _types(engine, body, language="de")


@pytest.mark.parametrize(
    ("body", "actor"),
    [
        # verb second: the state that opens the sentence is its subject, the next an object
        ("Washington hat Kuba von der Liste der Terrorstaaten gestrichen.", "US"),
        ("Die US-Regierung hat Kuba von der Liste der Terrorstaaten gestrichen.", "US"),
        # a dative article opens an object, not the subject
        ("Der Ukraine hat Deutschland die Lieferung von Taurus-Raketen zugesagt.", "DE"),
    ],
)
def test_the_state_that_opens_a_german_sentence_is_its_subject(
    engine: Engine, body: str, actor: str
) -> None:
    [alert] = _alerts(engine, body, language="de")
    assert alert.actor is not None
    assert alert.actor.code == actor


@pytest.mark.parametrize(
    "text",
    [
        "UK charity for Syrians says payment provider froze its donations account",
        "A British payment provider froze the donations account of a charity for Syrians, "
        "holding back payments.",
    ],
)
def test_a_frozen_account_is_no_aid_freeze(engine: Engine, text: str) -> None:
    assert _types(engine, "Body text.", title=text) == []
    assert _types(engine, text) == []


@pytest.mark.parametrize(
    ("language", "title", "body", "expected"),
    [
        # a bare export licence names no goods: the article's subject decides
        (
            "en",
            "Britain suspends some export licences to Israel",
            "The UK is suspending around 30 of the 350 export licences for items to Israel, "
            "the foreign secretary said. They cover parts for military aircraft and drones.",
            ["weapons_restriction_imposed"],
        ),
        (
            "fr",
            "Ottawa suspend ses licences d'exportation de technologies militaires vers la Turquie",
            "Le Canada suspend ses licences d'exportation de technologies de drones vers la "
            "Turquie, a annoncé le ministre.",
            ["weapons_restriction_imposed"],
        ),
        (
            "en",
            "US suspends export licences for chip tools to Chinese firm",
            "Washington suspended export licences for chip-making tools to the company, the "
            "Commerce Department said.",
            [],
        ),
    ],
)
def test_suspended_export_licences_are_arms_only_in_an_article_about_arms(
    engine: Engine, language: str, title: str, body: str, expected: list[str]
) -> None:
    types = _types(engine, body, title=title, language=language)
    assert [t for t in types if t.startswith("weapons")] == expected


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Ottawa: Commons adopt Gaza motion, minister promises sanctions on settlers"),
        (
            "fr",
            "Ottawa : les Communes adoptent une motion sur Gaza, la ministre promet des "
            "sanctions contre des colons",
        ),
        (
            "fr",
            "Sénégal : les décaissements du FMI en suspens après l'audit des finances publiques",
        ),
    ],
)
def test_a_motion_or_a_pending_payment_is_no_decision(
    engine: Engine, language: str, title: str
) -> None:
    assert _types(engine, "Rien de plus.", title=title, language=language) == []


@pytest.mark.parametrize(
    ("language", "body", "actor"),
    [
        (
            "es",
            "El Departamento del Tesoro de Estados Unidos incluyó este viernes al ministro del "
            "Interior en su lista de sancionados.",
            "US",
        ),
        (
            "de",
            "Die Schweiz erweitert ihre Sanktionsliste um 69 Personen und 47 Unternehmen, teilte "
            "der Bundesrat mit.",
            "CH",
        ),
        (
            "de",
            "Die 27 Mitgliedstaaten haben das sechste Sanktionspaket am Freitag förmlich "
            "angenommen.",
            "EU",
        ),
    ],
)
def test_adding_names_to_a_sanctions_list_imposes_sanctions(
    engine: Engine, language: str, body: str, actor: str
) -> None:
    [alert] = _alerts(engine, body, language=language)
    assert alert.actor is not None
    assert (alert.event_type, alert.actor.code) == ("sanctions_imposed", actor)


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        # funding an agency is aid, whatever the noun for the funding
        (
            "de",
            "Kanada setzt die Zusammenarbeit mit der UNRWA bis auf Weiteres aus, teilte die "
            "Regierung mit.",
            ["aid_suspended"],
        ),
        (
            "en",
            "Sweden suspended its cooperation with UNRWA on Friday, the government said.",
            ["aid_suspended"],
        ),
        # "setzt ... fort" continues: the particle makes it another verb
        (
            "de",
            "Berlin setzt die Zahlungen an das Hilfswerk in Gaza fort, teilte die Regierung mit.",
            [],
        ),
    ],
)
def test_an_agency_named_is_the_aid_it_receives(
    engine: Engine, language: str, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, language=language) == expected


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "Sweden will send Ukraine a new military aid package worth 13.5 billion kronor."),
        (
            "fr",
            "La Suède enverra à l'Ukraine un nouveau paquet d'aide militaire de 13,5 milliards "
            "de couronnes, a annoncé le gouvernement.",
        ),
        ("uk", "Швеція передасть Україні новий пакет військової допомоги на 13,5 млрд крон."),
    ],
)
def test_a_military_aid_package_sent_is_an_arms_transfer(
    engine: Engine, language: str, body: str
) -> None:
    # "couronnes" (crowns) is no court ("cour")
    assert _types(engine, body, language=language) == ["arms_transfer_approved"]


def test_a_green_light_to_a_sale_of_weapons_is_an_arms_transfer(engine: Engine) -> None:
    body = (
        "Washington donne son feu vert à la vente de missiles antichars au Maroc, a annoncé le "
        "département d'État."
    )
    assert _types(engine, body, language="fr") == ["arms_transfer_approved"]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("ru", "Германия повременит с возобновлением взносов в БАПОР, заявил министр."),
        ("uk", "Німеччина не поспішає з відновленням внесків до БАПОР, заявив міністр."),
    ],
)
def test_holding_off_a_resumption_resumes_nothing(engine: Engine, language: str, body: str) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "en",
            "Japan will open talks with South Korea on export controls after Seoul unveiled a "
            "plan to settle the dispute, the trade ministry said.",
        ),
        (
            "de",
            "Japan beginnt Gespräche über die Exportkontrollen für Südkorea, teilte das "
            "Handelsministerium mit.",
        ),
    ],
)
def test_talks_about_a_measure_are_not_the_measure(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        # Swiss German writes "ss" for "ß"
        (
            "de",
            "Japan setzt Südkorea wieder auf die weisse Liste, teilte das Kabinett mit.",
            "export_controls_eased",
        ),
        (
            "es",
            "China incluye a once empresas estadounidenses en su lista de entidades no fiables, "
            "anunció el Ministerio de Comercio.",
            "export_controls_tightened",
        ),
        (
            "fr",
            "L'Union européenne a levé mardi la suspension de l'appui financier direct au "
            "gouvernement burundais.",
            "aid_resumed",
        ),
    ],
)
def test_ordinary_wording_of_a_list_or_an_aid_decision(
    engine: Engine, language: str, body: str, expected: str
) -> None:
    assert _types(engine, body, language=language) == [expected]


def test_a_company_on_the_effect_of_new_rules_reports_no_decision(engine: Engine) -> None:
    body = (
        "ASML said on Wednesday that new Dutch export rules for its lithography machines would "
        "not have a material effect on its results this year."
    )
    assert _types(engine, body) == []


@pytest.mark.parametrize(
    "body",
    [
        "EU ambassadors failed on Tuesday for the fourth time in two weeks to approve an 18th "
        "package of sanctions against Russia, diplomats said.",
        "Brussels has now designated well over 300 tankers under its Russia sanctions regime, "
        "brokers say.",
        "One year after West African leaders lifted the sanctions they imposed on Niger, traders "
        "say goods are flowing again.",
    ],
)
def test_a_failed_vote_a_running_total_or_an_anniversary_is_no_decision(
    engine: Engine, body: str
) -> None:
    assert _types(engine, body) == []


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        # stems that reached other words: "Verein" (club) reached "Vereinigte Staaten",
        # "einst" (once) "einstimmig", "Richter" (judge) "richtig", "presse" "pression", a
        # company ("firma") "firmó" (signed), "opérateur" "opération"
        (
            "de",
            "Die Vereinigten Staaten erlauben der Ukraine, gelieferte Waffen gegen Ziele in "
            "Russland einzusetzen.",
            "weapons_restriction_lifted",
        ),
        (
            "de",
            "Die EU-Staaten verhängen einstimmig neue Sanktionen gegen Iran, teilte Brüssel mit.",
            "sanctions_imposed",
        ),
        (
            "de",
            "Berlin verhängt richtigerweise neue Sanktionen gegen Iran, sagte der Minister.",
            "sanctions_imposed",
        ),
        (
            "fr",
            "Cédant à la pression des alliés, la France impose des sanctions à l'Iran.",
            "sanctions_imposed",
        ),
        (
            "es",
            "El presidente de Colombia firmó el decreto que prohíbe las importaciones de carbón "
            "de Israel.",
            "embargo_imposed",
        ),
        (
            "fr",
            "La France met fin à l'opération Barkhane et retire ses soldats du Mali.",
            "troop_deployment",
        ),
    ],
)
def test_a_stem_does_not_reach_an_unrelated_word(
    engine: Engine, language: str, body: str, expected: str
) -> None:
    assert _types(engine, body, language=language) == [expected]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        # "Mittel" (funds) reached "Mittelmeer", "couper" (cut) "coup de pouce", "efectivos"
        # (troops) "efecto", "retrait" (withdrawal) "retraite" (retirement)
        ("de", "Italien stoppt die Seenotrettung im Mittelmeer, teilte die Regierung in Rom mit."),
        (
            "fr",
            "Paris donne un coup de pouce à l'aide alimentaire pour le Sahel, a annoncé le "
            "ministère.",
        ),
        ("es", "El Gobierno de Argentina envía con efecto inmediato ayuda humanitaria a Bolivia."),
        ("fr", "Des soldats français partent à la retraite après la mission, a indiqué Paris."),
    ],
)
def test_a_stem_does_not_make_an_unrelated_word_a_decision(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        # "import" reached "importante", "ayuda" (aid) the verb "ayudar" (to help)
        (
            "fr",
            "La préfecture interdit une importante manifestation à Paris, a annoncé le "
            "gouvernement français.",
        ),
        (
            "es",
            "El Gobierno de México prohíbe una importante marcha en la capital, informó la "
            "Presidencia.",
        ),
        (
            "es",
            "El Gobierno de Chile suspende el plan para ayudar a las pymes, anunció el ministro.",
        ),
    ],
)
def test_important_is_no_import_and_helping_no_aid(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


def test_the_masculine_past_of_impose_imposes(engine: Engine) -> None:
    body = "Зеленський увів санкції проти капітанів танкерів тіньового флоту."
    assert _types(engine, body, language="uk") == ["sanctions_imposed"]


def test_a_live_blog_entry_is_told_as_a_lead_of_its_own(engine: Engine) -> None:
    body = (
        "09:10 The plant's operator says it has begun releasing the treated water into the sea.\n\n"
        "10:30 Fishermen gathered at the harbour this morning. They fear for their trade. Many "
        "have waited years for buyers to return.\n\n"
        "12:45 China has suspended all imports of seafood from Japan with immediate effect, its "
        "customs administration said."
    )
    alerts = _alerts(engine, body, title="Live: treated water release begins")
    assert [(a.event_type, a.actor.code if a.actor else None) for a in alerts] == [
        ("embargo_imposed", "CN")
    ]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "en",
            "Moscow condemned the new sanctions Britain imposed on Russian banks, calling them an "
            "unfriendly act.",
        ),
        (
            "es",
            "El Ministerio de Exteriores de Rusia convocó al embajador de Japón para protestar por "
            "la ronda de sanciones que Tokio aprobó el viernes.",
        ),
        ("ru", "Медведев пообещал зеркальный ответ на новые санкции США против российских банков."),
    ],
)
def test_a_reaction_to_a_measure_reports_the_reaction(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("body", "actor", "target"),
    [
        # the state right after a verb of giving receives: the decider stands before it
        (
            "Brussels will give Malawi 80 million euros in budget support, resuming aid to the "
            "country after a two-year freeze over a procurement scandal.",
            "EU",
            "MW",
        ),
        (
            "Canada is sending Latvia two more frigates, deploying them to the Baltic Sea "
            "from next month.",
            "CA",
            "LV",
        ),
    ],
)
def test_the_state_after_a_verb_of_giving_receives(
    engine: Engine, body: str, actor: str, target: str
) -> None:
    [alert] = _alerts(engine, body)
    assert alert.actor is not None and alert.actor.code == actor
    assert alert.target is not None and alert.target.code == target


def test_an_abbreviated_state_name_with_a_full_stop_is_the_state(engine: Engine) -> None:
    # "S. Korea": folding turns the full stop into a second space inside the name
    [alert] = _alerts(engine, "S. Korea imposed sanctions on 12 Russian shipping firms.")
    assert alert.actor is not None and alert.actor.code == "KR"


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        # the talks are over: the decision that follows them is the news
        (
            "es",
            "Tras semanas de negociaciones, la Unión Europea ha aprobado nuevas sanciones contra "
            "Bielorrusia.",
            ["sanctions_imposed"],
        ),
        (
            "fr",
            "Après de longues négociations, l'Union européenne a adopté de nouvelles sanctions "
            "contre la Biélorussie.",
            ["sanctions_imposed"],
        ),
        # still open: the hedge holds
        (
            "es",
            "Las negociaciones sobre nuevas sanciones contra Bielorrusia siguen en Bruselas.",
            [],
        ),
        # further off, "after" opens another clause and does not close the hedge
        (
            "en",
            "After reports that the cabinet may impose sanctions on Belarus, officials "
            "declined to comment.",
            [],
        ),
    ],
)
def test_a_hedge_after_a_completion_word_names_a_finished_step(
    engine: Engine, language: str, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, language=language) == expected


def test_an_export_ban_on_controlled_goods_is_an_export_control_not_an_embargo(
    engine: Engine,
) -> None:
    body = (
        "Pékin a annoncé mardi la suspension d'une interdiction d'exportation vers le Japon de "
        "graphite et de gallium, deux matériaux clés pour les batteries."
    )
    assert _types(engine, body, language="fr") == ["export_controls_eased"]


def test_lifting_a_ban_on_importing_goods_lifts_an_embargo_in_french(engine: Engine) -> None:
    body = (
        "Séoul a annoncé la levée de l'interdiction de l'importation des fruits de mer "
        "norvégiens, en vigueur depuis trois ans."
    )
    assert _types(engine, body, language="fr") == ["embargo_lifted"]


def test_a_headline_with_no_decider_makes_the_body_sentence_that_names_one_the_news(
    engine: Engine,
) -> None:
    title = "Western powers lift sanctions on Belarus potash"
    body = (
        "Ministers met for three hours in Vilnius on Monday. Farmers' groups had long argued "
        "for relief. Prices of fertiliser have doubled since 2021. Traders expect shipments "
        "to restart within weeks. Late in the evening, the European Union lifted its "
        "sanctions on Belarusian potash exports, an EU official said."
    )
    assert _types(engine, body, title=title) == ["sanctions_lifted"]
    # without the headline the same sentence is a side remark past the lead
    assert _types(engine, body) == []


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "ru",
            "Совет Федерации разрешил использовать вооруженные силы за пределами страны для "
            "миротворческой операции.",
        ),
        ("uk", "Парламент Литви дозволив використовувати збройні сили за кордоном."),
        (
            "en",
            "Turkey's parliament on Thursday approved the use of troops abroad for a year-long "
            "mission.",
        ),
    ],
)
def test_leave_to_use_the_armed_forces_abroad_is_a_deployment_not_a_weapons_permission(
    engine: Engine, language: str, body: str
) -> None:
    # "вооружённые силы" / "збройні сили" share a stem with the words for weapons
    assert _types(engine, body, language=language) == ["troop_deployment"]


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        # the pronoun stands for "стран", the subject of "ввели": Russia decides nothing there
        (
            "ru",
            "Президент России продлил запрет на ввоз товаров из стран, которые ввели санкции "
            "против Москвы.",
            [],
        ),
        # a state right before the comma is the pronoun's antecedent and decides
        (
            "ru",
            "Норвегия, которая долго колебалась, ввела санкции против Ирана.",
            ["sanctions_imposed"],
        ),
        # "lo que" stands for the whole clause before it, not for a noun
        (
            "es",
            "Suecia cerró el lunes su embajada en Maputo, lo que supone suspender la ayuda a "
            "Mozambique.",
            ["aid_suspended"],
        ),
    ],
)
def test_a_relative_clause_shuts_out_the_states_named_before_it(
    engine: Engine, language: str, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, language=language) == expected


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("uk", "Китай обмежить експорт графіту для виробництва батарей з грудня."),
        ("ru", "Китай ограничит экспорт графита для производства батарей с декабря."),
        ("de", "China beschränkt ab Dezember den Export von Graphit für Batterien."),
        ("fr", "La Chine va restreindre dès décembre les exportations de graphite pour batteries."),
        ("es", "China restringirá desde diciembre las exportaciones de grafito para baterías."),
    ],
)
def test_restricting_exports_of_controlled_goods_tightens_export_controls(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == ["export_controls_tightened"]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "en",
            "The Leopard tanks stand in Polish depots, but Warsaw needs the green light from "
            "Berlin to send them to Ukraine.",
        ),
        (
            "es",
            "Los tanques Leopard están en depósitos polacos, pero Varsovia necesita la luz "
            "verde de Berlín para enviarlos a Ucrania.",
        ),
        (
            "fr",
            "Varsovie a besoin du feu vert de Berlin pour envoyer ses chars Leopard en Ukraine.",
        ),
    ],
)
def test_an_approval_still_needed_is_not_given(engine: Engine, language: str, body: str) -> None:
    assert _types(engine, body, language=language) == []


def test_a_german_verb_bracket_holds_the_object_however_long_its_middle(engine: Engine) -> None:
    body = (
        "Nach dem Putsch hat Schweden die Budgethilfe für das Land in Höhe von umgerechnet "
        "rund 40 Millionen Euro bis auf Weiteres ausgesetzt."
    )
    assert _types(engine, body, language="de") == ["aid_suspended"]


def test_a_non_binding_motion_urging_sanctions_is_a_request_in_spanish(engine: Engine) -> None:
    body = (
        "El Congreso de los Diputados aprobó una proposición que insta al Gobierno a promover "
        "nuevas sanciones contra Venezuela."
    )
    assert _types(engine, body, language="es") == []


@pytest.mark.parametrize(
    "body",
    [
        "The Treasury imposed sanctions on six port officials, freezing their US assets.",
        "The Arab League imposed sanctions on the government, closing its borders; it also "
        "froze the central bank's reserves.",
    ],
)
def test_an_adjunct_after_a_comma_says_how_not_what_was_undone(engine: Engine, body: str) -> None:
    assert _types(engine, body) == ["sanctions_imposed"]


def test_a_regional_bloc_is_an_actor(engine: Engine) -> None:
    body = "ECOWAS imposed sanctions on the junta in Niamey on Sunday, officials said."
    [alert] = _alerts(engine, body)
    assert (alert.event_type, alert.actor.code) == ("sanctions_imposed", "ECOWAS")


def test_the_african_union_is_not_australia(engine: Engine) -> None:
    body = "The African Union decided on Friday to deploy troops to Somalia, its council said."
    [alert] = _alerts(engine, body)
    assert alert.actor.code == "AFRICAN_UNION"


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Seoul cleared to buy more air-defence missiles",
            "The regulator published the notice on Tuesday.",
        ),
        (None, "Warsaw has been cleared to acquire 48 more Patriot launchers, the Pentagon said."),
    ],
)
def test_a_buyer_cleared_to_buy_has_no_use_restriction_lifted(
    engine: Engine, title: str | None, body: str
) -> None:
    assert "weapons_restriction_lifted" not in _types(engine, body, title=title)


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        (
            "de",
            "Tokio stoppte am Montag die Exportkontrollen für Halbleitermaterial nach Südkorea.",
            "export_controls_eased",
        ),
        (
            "en",
            "Washington announced a rollback of the decades-old ban on selling lethal weapons "
            "to the country.",
            "weapons_restriction_lifted",
        ),
    ],
)
def test_a_preterite_or_a_noun_of_undoing_reverses_the_restriction(
    engine: Engine, language: str, body: str, expected: str
) -> None:
    assert _types(engine, body, language=language) == [expected]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "ru",
            "Пекин с понедельника приостановит действие мер экспортного контроля в отношении "
            "двенадцати компаний из Японии.",
        ),
        (
            "uk",
            "Пекін з понеділка призупинить дію заходів експортного контролю щодо дванадцяти "
            "компаній з Японії.",
        ),
    ],
)
def test_halting_export_controls_eases_them_and_is_no_embargo(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == ["export_controls_eased"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Die EU-Staaten einigten sich am späten Abend auf ein Embargo gegen Kohle aus Belarus "
            "geeinigt, teilte die Ratspräsidentschaft mit.",
            ["embargo_imposed"],
        ),
        (
            "Brüssel hat am Mittwoch ein zwölftes Paket von Strafmaßnahmen gegen Teheran auf den "
            "Weg gebracht.",
            ["sanctions_imposed"],
        ),
    ],
)
def test_a_bloc_agreeing_on_a_measure_adopts_it_in_german(
    engine: Engine, body: str, expected: list[str]
) -> None:
    assert _types(engine, body, language="de") == expected


def test_a_question_after_a_headline_statement_asks_only_itself(engine: Engine) -> None:
    title = "Washington allows chipmaker to export AI chips to China. What will Beijing do?"
    body = "Officials said the licences would be reviewed case by case."
    assert _types(engine, body, title=title) == ["export_controls_eased"]


def test_a_question_headline_still_reports_nothing(engine: Engine) -> None:
    title = "Will Washington allow chipmakers to export advanced AI chips to China?"
    body = "Officials said a decision could come within weeks."
    assert _types(engine, body, title=title) == []


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        (
            "en",
            "New Delhi banned exports of sugar with immediate effect on Friday to keep "
            "prices down at home.",
            "export_controls_tightened",
        ),
        (
            "de",
            "Indien lockert das Exportverbot für Zucker, teilte das Handelsministerium am "
            "Dienstag mit.",
            "export_controls_eased",
        ),
        (
            "en",
            "Ankara halted all exports to Israel on Thursday, the trade ministry said.",
            "embargo_imposed",
        ),
    ],
)
def test_an_export_ban_aimed_at_no_state_is_an_export_control(
    engine: Engine, language: str, body: str, expected: str
) -> None:
    assert _types(engine, body, language=language) == [expected]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("de", "Das EU-Parlament hält weitere Sanktionen gegen Belarus für angemessen."),
        ("en", "The European Parliament backed further sanctions on Minsk in a vote on Tuesday."),
        ("fr", "Le Parlement européen a adopté de nouvelles sanctions contre Minsk mardi."),
    ],
)
def test_the_european_parliament_decides_no_sanction(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


def test_a_tally_over_years_is_the_state_of_things(engine: Engine) -> None:
    body = "Over the past three years, Brussels has adopted 15 packages of sanctions on Moscow."
    assert _types(engine, body) == []


def test_the_noun_issue_is_no_decision(engine: Engine) -> None:
    body = "EU ministers discussed the issue of sanctions on Minsk at length on Monday."
    assert _types(engine, body) == []


def test_tightening_controls_on_a_good_s_exports_tightens_export_controls(engine: Engine) -> None:
    title = "Seoul tightens controls on semiconductor equipment exports to Iran"
    body = "The trade ministry published the new list on Friday."
    assert _types(engine, body, title=title) == ["export_controls_tightened"]


def test_clearing_the_way_for_deliveries_approves_a_transfer_in_german(engine: Engine) -> None:
    body = (
        "Die norwegische Regierung macht den Weg frei für Lieferungen von Kampfpanzern an Litauen."
    )
    assert _types(engine, body, language="de") == ["arms_transfer_approved"]


def test_a_decree_banning_agricultural_imports_is_an_embargo(engine: Engine) -> None:
    body = "Ankara issued a decree on Thursday banning agricultural imports from Armenia."
    assert _types(engine, body) == ["embargo_imposed"]


def test_putting_export_controls_in_place_tightens_them_in_french(engine: Engine) -> None:
    body = "Hanoï met en œuvre à partir de lundi des contrôles à l'exportation sur le tungstène."
    assert _types(engine, body, language="fr") == ["export_controls_tightened"]


def test_a_reversal_reaches_past_the_modifiers_of_its_object(engine: Engine) -> None:
    body = (
        "Canberra unveiled a rollback of the decades-old prohibition on selling lethal "
        "weapons to Fiji."
    )
    types = _types(engine, body)
    assert "weapons_restriction_lifted" in types
    assert "weapons_restriction_imposed" not in types


def test_permission_to_strike_russian_soil_names_the_use_in_french(engine: Engine) -> None:
    title = "La Suède a autorisé l'armée ukrainienne à frapper le territoire russe"
    body = "Le gouvernement suédois l'a confirmé mardi."
    assert _types(engine, body, title=title, language="fr") == ["weapons_restriction_lifted"]


def test_a_german_verb_second_reaches_its_object_across_the_middle_field(engine: Engine) -> None:
    body = "Norwegen lockert kurz vor dem Gipfel mit den Nachbarn in Minsk mehrere Sanktionen."
    assert _types(engine, body, language="de") == ["sanctions_lifted"]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "uk",
            "Сеул скасовує з травня заборону на експорт товарів подвійного призначення до Японії.",
        ),
        (
            "de",
            "Peking setzt ab Montag die Exportkontrollen für Dual-Use-Güter nach Japan aus.",
        ),
    ],
)
def test_dual_use_goods_are_controlled_goods(engine: Engine, language: str, body: str) -> None:
    assert _types(engine, body, language=language) == ["export_controls_eased"]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "Kazakhstan banned exports of diesel for six months on Monday, the ministry said."),
        ("de", "Kasachstan hat den Export von Diesel für sechs Monate verboten."),
        ("fr", "Le Kazakhstan a interdit les exportations de gazole pour six mois."),
        ("es", "Kazajistán prohibió las exportaciones de diésel durante seis meses."),
        ("ru", "Казахстан запретил экспорт дизельного топлива на шесть месяцев."),
        ("uk", "Казахстан заборонив експорт бензину на шість місяців."),
    ],
)
def test_a_fuel_export_ban_is_an_export_control_in_every_language(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == ["export_controls_tightened"]


def test_grain_exports_recovering_is_trade_not_a_decision(engine: Engine) -> None:
    body = "Казахстан майже відновив обсяги вивезення зерна після посухи, кажуть трейдери."
    assert _types(engine, body, language="uk") == []


def test_a_parliament_authorising_a_deployment_decides_it(engine: Engine) -> None:
    body = "Ankara's parliament voted on Thursday to allow the deployment of troops to Libya."
    assert _types(engine, body) == ["troop_deployment"]


def test_a_state_named_later_in_the_sentence_is_not_what_an_export_ban_aims_at(
    engine: Engine,
) -> None:
    body = (
        "Islamabad stopped sugar exports on Monday so that shops stay stocked, a move that "
        "worries buyers such as Afghanistan."
    )
    assert _types(engine, body) == ["export_controls_tightened"]


def test_tightening_the_rules_for_exporting_goods_tightens_export_controls_in_german(
    engine: Engine,
) -> None:
    body = "Seoul verschärft ab Juli die Auflagen beim Export von Lithografie nach Nordkorea."
    assert _types(engine, body, language="de") == ["export_controls_tightened"]


def test_dropping_a_state_from_a_privileged_export_list_tightens_controls_in_french(
    engine: Engine,
) -> None:
    body = (
        "Ottawa va retirer le Pérou de la liste des pays exemptés de formalités "
        "d'exportation, selon le ministère."
    )
    assert _types(engine, body, language="fr") == ["export_controls_tightened"]


def test_a_date_inside_the_event_s_own_words_dates_it(engine: Engine) -> None:
    body = "Oslo allowed Kyiv in March to strike Russian positions with its donated missiles."
    assert _types(engine, body, published="2025-09-20") == []
    assert _types(engine, body, published="2025-03-28") == ["weapons_restriction_lifted"]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("en", "Dublin trimmed legal aid for tenants in its spring budget."),
        (
            "es",
            "El portavoz ha negado rotundamente que Lisboa prepare el envío de tropas a Malí, "
            "tras las preguntas de un diputado.",
        ),
        ("es", "Bruselas admite que existe el riesgo de que imponga sanciones a Managua este año."),
        (
            "fr",
            "Ottawa étudie un gel des ventes de drones, ainsi que des sanctions ciblées visant "
            "trois généraux de la junte.",
        ),
    ],
)
def test_other_senses_denials_risks_and_modifiers_decide_nothing(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Brussels agreed on Tuesday to end its arms ban on Fiji after the election.",
            "embargo_lifted",
        ),
        (
            "The Security Council banned all arms deliveries to the country on Friday.",
            "embargo_imposed",
        ),
    ],
)
def test_an_arms_ban_by_the_un_or_the_eu_is_an_embargo(
    engine: Engine, body: str, expected: str
) -> None:
    assert _types(engine, body) == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Kanada hat beschlossen, sein langjähriges Waffenembargo gegen Fidschi aufzuheben.",
            "embargo_lifted",
        ),
        (
            "Schweden hat beschlossen, die Entwicklungshilfe für Niger auszusetzen.",
            "aid_suspended",
        ),
    ],
)
def test_a_separable_verb_s_zu_infinitive_decides_in_german(
    engine: Engine, body: str, expected: str
) -> None:
    assert _types(engine, body, language="de") == [expected]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "en",
            "Estonia's parliament voted to send 25 military police to the mission in Kosovo.",
        ),
        (
            "en",
            "Ghana's parliament approved the request to deploy a battalion to Mali.",
        ),
        (
            "de",
            "Frankreichs Verteidigungsminister kündigte an, eine Infanteriekompanie nach Litauen "
            "zu verlegen.",
        ),
    ],
)
def test_military_police_companies_and_granted_requests_are_deployments(
    engine: Engine, language: str, body: str
) -> None:
    assert _types(engine, body, language=language) == ["troop_deployment"]


def test_a_german_attributive_participle_names_a_standing_state(engine: Engine) -> None:
    body = (
        "Die Schweiz überweist ab Mai wieder Geld aus den im Frühjahr eingefrorenen "
        "Entwicklungshilfen für Jordanien, sagte ein Sprecher."
    )
    assert "aid_suspended" not in _types(engine, body, language="de")
    finite = "Die USA verhängten am Montag neue Sanktionen gegen den Iran."
    assert _types(engine, finite, language="de") == ["sanctions_imposed"]


def test_ordering_an_embargo_imposes_it(engine: Engine) -> None:
    title = "Ottawa orders an arms embargo on Myanmar after the crackdown"
    body = "The measure takes effect immediately, officials said."
    assert _types(engine, body, title=title) == ["embargo_imposed"]


def test_widening_the_list_of_goods_barred_from_export_tightens_export_controls(
    engine: Engine,
) -> None:
    body = "Токио расширил список товаров, запрещенных к поставке в Иран, добавив ещё 40 позиций."
    assert _types(engine, body, language="ru") == ["export_controls_tightened"]


def test_contributing_troops_to_a_mission_deploys_them_in_spanish(engine: Engine) -> None:
    title = "Portugal aportará un contingente de 80 militares a la fuerza europea en Mozambique"
    body = "El ministro de Defensa lo anunció el martes."
    assert _types(engine, body, title=title, language="es") == ["troop_deployment"]


@pytest.mark.parametrize(
    ("language", "body"),
    [
        (
            "fr",
            "Le Conseil de sécurité a imposé mardi un embargo sur les armes au Yémen et des "
            "sanctions contre trois chefs de milice.",
        ),
        (
            "de",
            "Der Sicherheitsrat verhängte am Dienstag ein Waffenembargo gegen den Jemen und "
            "Sanktionen gegen drei Milizenführer.",
        ),
    ],
)
def test_a_second_measure_shares_the_first_one_s_predicate(
    engine: Engine, language: str, body: str
) -> None:
    assert "sanctions_imposed" in _types(engine, body, language=language)


def test_a_weekday_beside_the_decision_dates_it_whatever_older_date_follows(
    engine: Engine,
) -> None:
    news = (
        "Washington lifted on Tuesday the sanctions it had imposed on Venezuela's state oil"
        " firm in 2019."
    )
    old = "Washington lifted in 2019 the sanctions it had imposed on Venezuela's state oil firm."
    assert _types(engine, news) == ["sanctions_lifted"]
    assert _types(engine, old) == []


def test_releasing_a_new_measure_publishes_it_rather_than_undoing_it(engine: Engine) -> None:
    body = "The commerce department released new export controls on advanced chips on Monday."
    assert _types(engine, body) == ["export_controls_tightened"]


def test_a_commander_is_not_a_sports_team(engine: Engine) -> None:
    body = "Евросоюз ввел санкции против командующего армией и двух генералов."
    assert _types(engine, body, language="ru") == ["sanctions_imposed"]


def test_a_bloc_named_by_description_is_the_actor(engine: Engine) -> None:
    body = "The West African bloc lifted the sanctions it had imposed on the junta, on Sunday."
    (alert,) = _alerts(engine, body)
    assert alert.event_type == "sanctions_lifted"
    assert alert.actor.code == "ECOWAS"
