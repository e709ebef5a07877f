from __future__ import annotations

import pytest

from policywatch.engine import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.from_paths()
