"""The wheel carries what production runs: no benchmark, soak run or test oracle.

Built the way a release is (``pip wheel . --no-deps``, a few seconds), then read as a zip. The
build runs on a clean copy of the project: setuptools reuses ``build/`` in the tree, where a module
deleted from the package lives on.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tools.harness import ROOT

pytestmark = pytest.mark.slow

#: Modules that moved to tools/ or tests/ and must not come back into the package.
MEASUREMENT = ("bench", "soak", "harness", "naive", "synthetic", "oracle", "baseline")


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("wheel")
    project = tmp_path_factory.mktemp("project")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(
        ROOT / "services",
        project / "services",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(project), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (wheel,) = out.glob("policywatch-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


def test_the_wheel_holds_only_the_policywatch_package(wheel_names: list[str]) -> None:
    assert "policywatch/__init__.py" in wheel_names
    assert "policywatch/engine/engine.py" in wheel_names
    tops = {Path(name).parts[0] for name in wheel_names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"policywatch"}


def test_no_bench_soak_or_oracle_module_is_in_the_wheel(wheel_names: list[str]) -> None:
    stray = [
        name
        for name in wheel_names
        if name.endswith(".py") and any(word in name for word in MEASUREMENT)
    ]
    assert stray == []
