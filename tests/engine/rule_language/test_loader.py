from __future__ import annotations

from pathlib import Path

import pytest

from policywatch.engine import Engine, load_rules, load_rules_text
from policywatch.errors import RuleErrors

GOOD = """\
language: en
lists:
  lift: [lift, ease]
rules:
  - id: t.one
    version: 1
    event_type: sanctions_lifted
    description: test
    trigger: [$lift]
    when: sanctions
"""


def errors_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(RuleErrors) as info:
        load_rules_text(text, name="r.yaml")
    return [(e.line, e.message) for e in info.value.errors]


def test_a_valid_file_loads() -> None:
    ruleset = load_rules_text(GOOD)
    assert [r.id for r in ruleset.rules] == ["t.one"]


def test_broken_yaml_is_reported_with_its_line() -> None:
    errors = errors_of("language: en\nrules:\n  - id: [unclosed\n    version: 1\n")
    assert errors[0][0] in (3, 4, 5)
    assert "invalid YAML" in errors[0][1]


def test_unknown_key_is_reported_at_its_rule_line() -> None:
    text = GOOD.replace("    when: sanctions\n", "    when: sanctions\n    regex: 'a+'\n")
    [(line, message)] = errors_of(text)
    assert line == 11
    assert "regex" in message and "Extra inputs" in message


def test_bad_list_reference_is_reported_at_its_line() -> None:
    [(line, message)] = errors_of(GOOD.replace("trigger: [$lift]", "trigger: [$lfit]"))
    assert line == 9
    assert "unknown list '$lfit'" in message


def test_duplicate_keys_and_wrong_types_are_errors() -> None:
    assert errors_of("language: en\nlanguage: de\n")[0] == (2, "duplicate key 'language'")
    [(line, message)] = errors_of(GOOD.replace("version: 1", "version: zero"))
    assert line == 6 and "version" in message


def test_every_error_of_every_file_is_collected(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace("$lift]", "$nope]"))
    (tmp_path / "b.yaml").write_text("language: en\nrules: {not: [a list\n")
    (tmp_path / "c.yaml").write_text(
        GOOD.replace("t.one", "t.two").replace("  lift:", "  other:").replace("$lift]", "$gone]")
    )
    with pytest.raises(RuleErrors) as info:
        load_rules([tmp_path])
    found = {(Path(e.file or "").name, e.line) for e in info.value.errors}
    assert ("a.yaml", 9) in found
    assert any(name == "b.yaml" for name, _ in found)
    assert ("c.yaml", 9) in found


def test_terms_that_cannot_match_are_rejected_with_their_line() -> None:
    text = GOOD.replace("[lift, ease]", "[lift, '...']")
    with pytest.raises(RuleErrors) as info:
        Engine(load_rules_text(text, name="r.yaml"))
    [error] = info.value.errors
    assert error.line == 3 and "invalid term" in error.message


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleErrors, match="no such rule file"):
        load_rules([tmp_path / "missing"])


def test_builtin_pack_loads_and_declares_its_language() -> None:
    ruleset = load_rules()
    assert {f.model.language for f in ruleset.files} == {"en", "de", "fr", "es", "uk", "ru"}
    assert {r.event_type for r in ruleset.rules} >= {
        "weapons_restriction_lifted",
        "weapons_restriction_imposed",
        "arms_transfer_approved",
        "sanctions_imposed",
        "sanctions_lifted",
        "embargo_imposed",
        "embargo_lifted",
        "export_controls_tightened",
        "export_controls_eased",
        "aid_suspended",
        "aid_resumed",
        "troop_deployment",
    }
