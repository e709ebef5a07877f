from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from policywatch.observability.logging import configure_logging


@pytest.fixture(autouse=True)
def _no_config_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PW_CONFIG in the developer's shell must not change what the CLI tests see."""
    monkeypatch.delenv("PW_CONFIG", raising=False)


@pytest.fixture(autouse=True)
def _logging_outlives_capsys() -> Iterator[None]:
    """``main()`` points structlog at the ``sys.stderr`` of the moment, which under ``capsys``
    is a capture stream closed after the test; a service started by a later test would then
    die logging to it. Point it back at the process's real stderr."""
    yield
    configure_logging(stream=sys.__stderr__)
