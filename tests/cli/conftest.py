from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_config_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PW_CONFIG in the developer's shell must not change what the CLI tests see."""
    monkeypatch.delenv("PW_CONFIG", raising=False)
