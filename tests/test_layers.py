"""The lower floors never import a service: loading one must not load the notifier, the
detector or the CLI (each import runs in a fresh interpreter, so nothing is cached)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SERVICES = (
    "policywatch.notifier",
    "policywatch.detector",
    "policywatch.ingest",
    "policywatch.cli",
)


@pytest.mark.parametrize(
    "floor",
    [
        "policywatch.settings",
        "policywatch.kafka",
        "policywatch.models",
        "policywatch.engine",
        "policywatch.observability",
    ],
)
def test_a_lower_floor_loads_no_service(floor: str) -> None:
    code = (
        f"import sys, {floor}\n"
        f"print(sorted(m for m in sys.modules if m.startswith({SERVICES!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_importing_the_kafka_adapter_does_not_load_the_notifier() -> None:
    code = "import policywatch.kafka, sys; assert 'policywatch.notifier' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
