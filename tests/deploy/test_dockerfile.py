"""deploy/Dockerfile, read as Docker would (no Docker engine here to build it)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from policywatch.settings import Settings

from .support import DEPLOY, REPO

DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = DEPLOY / "Dockerfile.dockerignore"
INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}  # fmt: skip


@dataclass
class Instruction:
    line: int
    keyword: str
    args: str


def parse(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined; comments and blank lines dropped."""
    out: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction is dropped, as Docker does
        if not pending:
            start = n
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        pending.append(line)
        keyword, _, args = " ".join(p for p in pending if p).partition(" ")
        out.append(Instruction(start, keyword.upper(), args.strip()))
        pending = []
    assert not pending, "the Dockerfile ends inside a continued line"
    return out


def stages(instructions: list[Instruction]) -> list[tuple[str, str, list[Instruction]]]:
    """(base image, stage name, instructions) per FROM."""
    out: list[tuple[str, str, list[Instruction]]] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            m = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", ins.args, re.IGNORECASE)
            assert m, f"line {ins.line}: FROM {ins.args}"
            out.append((m.group(1), m.group(2) or "", []))
        else:
            assert out, f"line {ins.line}: {ins.keyword} before the first FROM"
            out[-1][2].append(ins)
    return out


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return parse(DOCKERFILE.read_text(encoding="utf-8"))


def test_every_instruction_is_a_dockerfile_instruction(dockerfile: list[Instruction]) -> None:
    unknown = [(i.line, i.keyword) for i in dockerfile if i.keyword not in INSTRUCTIONS]
    assert not unknown


def test_two_slim_python_311_stages_and_the_runtime_copies_only_the_virtualenv(
    dockerfile: list[Instruction],
) -> None:
    found = stages(dockerfile)
    assert len(found) == 2
    assert all(base == "python:3.11-slim" for base, _, _ in found)
    (_, build, _), (_, _, runtime) = found
    copies = [i.args for i in runtime if i.keyword == "COPY"]
    assert copies == [f"--from={build} /opt/policywatch /opt/policywatch"]
    assert not [i for i in runtime if i.keyword == "RUN" and "pip" in i.args]


def test_runtime_runs_as_a_numeric_non_root_user_after_its_last_run(
    dockerfile: list[Instruction],
) -> None:
    runtime = stages(dockerfile)[-1][2]
    users = [(n, i.args) for n, i in enumerate(runtime) if i.keyword == "USER"]
    assert users, "the runtime stage sets no USER: it would run as root"
    index, user = users[-1]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0, "a numeric uid lets runAsNonRoot verify it"
    assert not gid or (gid.isdigit() and int(gid) != 0)
    runs = [n for n, i in enumerate(runtime) if i.keyword == "RUN"]
    assert not runs or max(runs) < index


def test_entry_point_is_the_policywatch_cli_in_exec_form(dockerfile: list[Instruction]) -> None:
    entry = [i for i in dockerfile if i.keyword == "ENTRYPOINT"]
    assert len(entry) == 1
    assert json.loads(entry[0].args) == ["policywatch"]
    cmd = [i for i in dockerfile if i.keyword == "CMD"]
    assert cmd and isinstance(json.loads(cmd[-1].args), list)


def test_exposes_the_default_metrics_ports_of_every_service(
    dockerfile: list[Instruction],
) -> None:
    exposed = {int(p) for i in dockerfile if i.keyword == "EXPOSE" for p in i.args.split()}
    defaults = Settings()
    notifier_port = getattr(defaults.notifier, "metrics_port", 9465)
    assert exposed == {
        defaults.detector.metrics_port,
        notifier_port,
        defaults.ingest.metrics_port,
    }


def _ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path (or a parent of it) decides."""
    ignored = False
    parts = relative.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern.removeprefix("!").strip("/")
        regex = re.escape(body).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        if any(re.fullmatch(regex, p) for p in prefixes):
            ignored = not negate
    return ignored


def _copy_sources(dockerfile: list[Instruction]) -> list[str]:
    sources: list[str] = []
    for ins in dockerfile:
        if ins.keyword == "COPY" and not ins.args.startswith("--from"):
            sources.extend(ins.args.split()[:-1])
    return sources


def test_copied_sources_exist_and_the_dockerignore_lets_them_through(
    dockerfile: list[Instruction],
) -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = _copy_sources(dockerfile)
    assert {"pyproject.toml", "README.md", "services"} <= set(sources)
    for source in sources:
        assert (REPO / source).exists(), f"COPY {source}: not in the repository"
        assert not _ignored(source, patterns), f"COPY {source}: excluded by the .dockerignore"
    assert _ignored(".venv/bin/python", patterns)
    assert _ignored("services/policywatch.egg-info/PKG-INFO", patterns)
    assert not _ignored("services/policywatch/cli/main.py", patterns)


def test_the_copied_files_alone_make_a_package_with_the_policywatch_command(
    dockerfile: list[Instruction], tmp_path: Path
) -> None:
    """What `pip install .` in the build stage sees: only the COPY sources, minus ignored."""
    context = tmp_path / "src"
    context.mkdir()
    for source in _copy_sources(dockerfile):
        src = REPO / source
        if src.is_dir():
            shutil.copytree(
                src, context / source, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
            )
        else:
            shutil.copy(src, context / source)
    out = tmp_path / "egg"
    out.mkdir()
    setup = "from setuptools import setup; setup()"
    done = subprocess.run(
        [sys.executable, "-c", setup, "-q", "egg_info", "--egg-base", str(out)],
        cwd=context,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    info = out / "policywatch.egg-info"
    assert "policywatch = policywatch.cli.main:main" in (info / "entry_points.txt").read_text()
    packaged = set((info / "SOURCES.txt").read_text().splitlines())
    package = REPO / "services" / "policywatch"
    expected = {
        str(p.relative_to(REPO))
        for p in package.rglob("*")
        if p.suffix in (".py", ".yaml", ".jsonl", ".typed") and "__pycache__" not in p.parts
    }
    assert expected <= packaged, sorted(expected - packaged)
