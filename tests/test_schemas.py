"""The committed JSON Schemas are exactly what the models generate."""

from __future__ import annotations

from pathlib import Path

import pytest

from policywatch.cli.schemas import generate_schemas

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("name", sorted(generate_schemas()))
def test_committed_schema_matches_the_models(name: str) -> None:
    expected = generate_schemas()[name]
    committed = (SCHEMAS / name).read_text(encoding="utf-8")
    assert committed == expected, (
        f"schemas/{name} is stale: run 'policywatch schemas --write schemas'"
    )
