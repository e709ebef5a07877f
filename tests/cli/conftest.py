from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture(autouse=True)
def _no_config_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PW_CONFIG in the developer's shell must not change what the CLI tests see."""
    monkeypatch.delenv("PW_CONFIG", raising=False)


@pytest.fixture(autouse=True)
def _forget_logging_config() -> Iterator[None]:
    """``main`` configures structlog to print on the sys.stdout of the moment, which capsys
    closes after the test: a later test in this process would log to a closed file."""
    yield
    structlog.reset_defaults()
