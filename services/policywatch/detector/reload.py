"""Hot reload of rule files: a bad edit keeps the last good rule set running."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import structlog

from policywatch.engine import Engine
from policywatch.errors import RuleError

log = structlog.get_logger("policywatch.detector")


def _fingerprint(paths: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"}))
        elif path.exists():
            files.append(path)
    out = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue  # removed between listing and stat: the next check sees the new state
        out.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(out)


class RuleReloader:
    """Watches the configured rule paths; the built-in pack (no paths) never changes."""

    def __init__(
        self,
        paths: Sequence[Path],
        *,
        interval: float,
        on_result: Callable[[bool], None] = lambda ok: None,
        load: Callable[[Sequence[Path]], Engine] = Engine.from_paths,
    ) -> None:
        self._paths = tuple(paths)
        self._interval = interval
        self._on_result = on_result
        self._load = load
        self._last = _fingerprint(self._paths) if self._paths else ()
        self._next_check = time.monotonic() + interval
        self._forced = False

    def request(self) -> None:
        """Reload at the next check, changed or not (SIGHUP)."""
        self._forced = True

    def poll(self) -> Engine | None:
        """A new engine when the files changed and load cleanly; otherwise None."""
        now = time.monotonic()
        if not self._paths or (not self._forced and now < self._next_check):
            return None
        self._next_check = now + self._interval
        current = _fingerprint(self._paths)
        if current == self._last and not self._forced:
            return None
        self._forced = False
        self._last = current
        try:
            engine = self._load(self._paths)
        except RuleError as exc:
            log.error("rules_reload_failed", error=str(exc), keeping="last good rule set")
            self._on_result(False)
            return None
        log.info("rules_reloaded", rules=engine.rule_count)
        self._on_result(True)
        return engine
