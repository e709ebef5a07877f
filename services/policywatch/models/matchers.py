"""Label matchers as Prometheus Alertmanager writes them: ``label=value``, ``label!="US"``,
``label=~"sanctions_.*"``, ``label!~"low|medium"``.

One parser serves routes (``matchers:``), silences (``policywatch silence add``) and inhibit
rules (``source_matchers``, ``target_matchers``). As in Alertmanager:

- the value may be double-quoted (then ``\\"``, ``\\\\`` and ``\\n`` are escapes) or bare;
- a regex must match the *whole* value (it is anchored), so ``actor=~"U"`` does not match ``US``;
- a label the alert does not have has the empty value, so ``target!="UA"`` matches an alert
  without that label and ``target=""`` matches only such an alert.

Pure: no I/O, so the settings models and the CLI validate with it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Op = Literal["=", "!=", "=~", "!~"]

_LABEL = r"[A-Za-z_][A-Za-z0-9_]*"
_MATCHER = re.compile(rf"^\s*({_LABEL})\s*(=~|!~|!=|=)\s*(.*?)\s*$", re.DOTALL)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}


class MatcherError(ValueError):
    """A matcher that does not parse, or whose regex does not compile; names the text."""

    def __init__(self, text: str, problem: str) -> None:
        super().__init__(f"invalid matcher {text!r}: {problem}")
        self.text = text
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Matcher:
    name: str
    op: Op
    value: str
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def create(cls, name: str, op: Op, value: str, *, text: str | None = None) -> Matcher:
        regex = None
        if op in ("=~", "!~"):
            try:
                regex = re.compile(value)
            except re.error as exc:
                raise MatcherError(text or f"{name}{op}{value}", f"bad regex: {exc}") from exc
        return cls(name, op, value, regex)

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        assert self._regex is not None
        hit = self._regex.fullmatch(actual) is not None
        return hit if self.op == "=~" else not hit

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.name}{self.op}"{escaped}"'


def _unquote(raw: str, text: str) -> str:
    if not raw.startswith('"'):
        if '"' in raw:
            raise MatcherError(text, "a bare value cannot hold a double quote; quote the value")
        return raw
    if len(raw) < 2 or not raw.endswith('"'):
        raise MatcherError(text, "unterminated quoted value")
    out: list[str] = []
    body = raw[1:-1]
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _ESCAPES:
                raise MatcherError(text, 'only \\", \\\\ and \\n are escapes in a quoted value')
            out.append(_ESCAPES[body[i + 1]])
            i += 2
            continue
        if c == '"':
            raise MatcherError(text, "unescaped double quote inside the quoted value")
        out.append(c)
        i += 1
    return "".join(out)


def parse_matcher(text: str) -> Matcher:
    """One matcher, e.g. ``event_type="sanctions_imposed"``; raises :class:`MatcherError`."""
    m = _MATCHER.match(text)
    if not m:
        raise MatcherError(text, "expected label, one of = != =~ !~, then a value")
    name, op, raw = m.group(1), m.group(2), m.group(3)
    op_checked: Op = "=" if op == "=" else "!=" if op == "!=" else "=~" if op == "=~" else "!~"
    return Matcher.create(name, op_checked, _unquote(raw, text), text=text)


def parse_matchers(texts: Iterable[str]) -> tuple[Matcher, ...]:
    return tuple(parse_matcher(t) for t in texts)


def from_match(
    match: Iterable[tuple[str, str]], match_re: Iterable[tuple[str, str]]
) -> tuple[Matcher, ...]:
    """The older ``match``/``match_re`` items as matchers (equal; anchored regex)."""
    return (
        *(Matcher.create(k, "=", v) for k, v in sorted(match)),
        *(Matcher.create(k, "=~", v) for k, v in sorted(match_re)),
    )


def matches_all(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)


def check_matcher_texts(texts: Iterable[str]) -> list[str]:
    """Every problem with a list of matcher texts (empty when all parse): for validators."""
    problems: list[str] = []
    for text in texts:
        try:
            parse_matcher(text)
        except MatcherError as exc:
            problems.append(str(exc))
    return problems


__all__ = [
    "Matcher",
    "MatcherError",
    "Op",
    "check_matcher_texts",
    "from_match",
    "matches_all",
    "parse_matcher",
    "parse_matchers",
]
