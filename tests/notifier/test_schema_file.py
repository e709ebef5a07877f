"""schemas/notifier.schema.json is generated from the model and must not drift from it."""

from __future__ import annotations

import json
from pathlib import Path

from policywatch.settings.notifier import notifier_json_schema

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "notifier.schema.json"
REGENERATE = "regenerate with: make schemas"


def test_the_committed_schema_matches_the_model() -> None:
    committed = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert committed == notifier_json_schema(), REGENERATE


def test_the_schema_uses_the_config_file_spelling() -> None:
    route = notifier_json_schema()["$defs"]["Route"]["properties"]
    assert "continue" in route and "continue_" not in route
    durations = route["group_wait"]["anyOf"]
    assert {"type": "null"} in durations
    assert any(d.get("type") == "string" for d in durations[0].get("anyOf", durations))


def test_secrets_are_marked_write_only() -> None:
    defs = notifier_json_schema()["$defs"]
    webhook = defs["WebhookTarget"]["properties"]
    assert webhook["secret"]["anyOf"][0].get("writeOnly") is True
    assert webhook["secrets"]["items"].get("writeOnly") is True
    assert defs["SlackTarget"]["properties"]["url"].get("writeOnly") is True
