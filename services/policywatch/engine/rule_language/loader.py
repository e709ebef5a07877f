"""Loading rule files in layers: YAML nodes (with line marks) → plain data → models → checks.

Every problem becomes a :class:`~policywatch.errors.RuleError` with file and line; ``load_rules``
collects all of them and raises one :class:`~policywatch.errors.RuleErrors`, so
``policywatch rules check`` can show everything at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from policywatch.engine.rule_language.spec import AllOf, AnyOf, Condition, NotOf, RuleFile, RuleSpec
from policywatch.errors import RuleError, RuleErrors

__all__ = [
    "LoadedFile",
    "RuleSet",
    "builtin_rules_dir",
    "condition_refs",
    "load_rules",
    "load_rules_text",
    "parse_rule_file",
]

LinePath = tuple[str | int, ...]


def builtin_rules_dir() -> Path:
    """The rule pack shipped inside the package (``policywatch/rules``)."""
    return Path(str(resources.files("policywatch") / "rules"))


@dataclass(frozen=True)
class LoadedFile:
    path: str
    model: RuleFile
    lines: dict[LinePath, int] = field(repr=False, default_factory=dict)

    def line_of(self, path: LinePath) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


@dataclass(frozen=True)
class RuleSet:
    """Validated rule files, ready to compile."""

    files: tuple[LoadedFile, ...]

    @property
    def rules(self) -> tuple[RuleSpec, ...]:
        return tuple(r for f in self.files for r in f.model.rules)

    def where(self, rule_id: str) -> tuple[str, int]:
        for f in self.files:
            for i, r in enumerate(f.model.rules):
                if r.id == rule_id:
                    return f.path, f.line_of(("rules", i))
        return "<unknown>", 0


class _Plain:
    """Turns a composed YAML node tree into plain data, noting the line of every path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[LinePath, int] = {}
        self._scalars = yaml.SafeLoader("")

    def __call__(self, node: yaml.Node, path: LinePath = ()) -> Any:
        self.lines[path] = _line(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self(v, (*path, i)) for i, v in enumerate(node.value)]
        return self._scalars.construct_object(node)

    def _mapping(self, node: yaml.MappingNode, path: LinePath) -> dict[Any, Any]:
        file = self.file
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise RuleError(
                    "merge keys (<<) are not supported", file=file, line=_line(key_node)
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise RuleError("mapping keys must be scalars", file=file, line=_line(key_node))
            key = self._scalars.construct_object(key_node)
            if key in out:
                raise RuleError(f"duplicate key {key!r}", file=file, line=_line(key_node))
            out[key] = self(value_node, (*path, str(key)))
        return out


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def parse_rule_file(text: str, file: str) -> LoadedFile:
    """Parse and validate one file; raises :class:`RuleErrors` with every problem found."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise RuleErrors(
            [RuleError(f"invalid YAML: {exc.problem or exc}", file=file, line=line)]
        ) from exc
    except yaml.YAMLError as exc:
        raise RuleErrors([RuleError(f"invalid YAML: {exc}", file=file)]) from exc
    if root is None:
        raise RuleErrors([RuleError("empty rule file", file=file, line=1)])
    plain = _Plain(file)
    lines = plain.lines
    try:
        data = plain(root)
    except RuleError as exc:
        raise RuleErrors([exc]) from exc
    except yaml.YAMLError as exc:
        raise RuleErrors([RuleError(f"invalid YAML value: {exc}", file=file)]) from exc
    if not isinstance(data, dict):
        raise RuleErrors([RuleError("a rule file must be a mapping", file=file, line=1)])
    try:
        model = RuleFile.model_validate(data)
    except ValidationError as exc:
        errors = []
        probe = LoadedFile(file, RuleFile(language="any"), lines)
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, int) or not _is_type_tag(p))
            where = ".".join(str(p) for p in loc) or "<root>"
            errors.append(RuleError(f"{where}: {err['msg']}", file=file, line=probe.line_of(loc)))
        raise RuleErrors(_dedupe(errors)) from exc
    return LoadedFile(file, model, lines)


def _is_type_tag(part: str | int) -> bool:
    """pydantic adds union member names (``str``, ``AllOf``, ``list[...]``) to error paths."""
    text = str(part)
    return text in {"str", "AllOf", "AnyOf", "NotOf", "ListSpec", "Example"} or "[" in text


def _dedupe(errors: list[RuleError]) -> list[RuleError]:
    seen: set[str] = set()
    out = []
    for e in errors:
        if str(e) not in seen:
            seen.add(str(e))
            out.append(e)
    return out


def condition_refs(cond: Condition | None) -> Iterable[str]:
    """Every leaf string of a condition tree (``$list`` refs and inline terms)."""
    if cond is None:
        return
    if isinstance(cond, str):
        yield cond
    elif isinstance(cond, AllOf):
        for c in cond.all:
            yield from condition_refs(c)
    elif isinstance(cond, AnyOf):
        for c in cond.any:
            yield from condition_refs(c)
    elif isinstance(cond, NotOf):
        yield from condition_refs(cond.not_)


def _check_refs(files: Sequence[LoadedFile]) -> list[RuleError]:
    errors: list[RuleError] = []
    lists: dict[str, set[str]] = {}
    cues: dict[str, set[str]] = {}
    list_home: dict[tuple[str, str], str] = {}
    for f in files:
        lang = f.model.language
        for name in f.model.lists:
            if (lang, name) in list_home:
                errors.append(
                    RuleError(
                        f"list {name!r} already defined in {list_home[(lang, name)]}",
                        file=f.path,
                        line=f.line_of(("lists", name)),
                    )
                )
            list_home[(lang, name)] = f.path
            lists.setdefault(lang, set()).add(name)
        cues.setdefault(lang, set()).update(f.model.cues)
    rule_home: dict[str, str] = {}
    for f in files:
        lang = f.model.language
        known = lists.get(lang, set()) | lists.get("any", set())
        known_cues = cues.get(lang, set()) | cues.get("any", set())
        for i, rule in enumerate(f.model.rules):
            base: LinePath = ("rules", i)
            if rule.id in rule_home:
                errors.append(
                    RuleError(
                        f"rule id {rule.id!r} already used in {rule_home[rule.id]}",
                        file=f.path,
                        line=f.line_of((*base, "id")),
                    )
                )
            rule_home[rule.id] = f.path
            refs: list[tuple[str, LinePath]] = [(t, (*base, "trigger")) for t in rule.trigger]
            refs += [(t, (*base, "when")) for t in condition_refs(rule.when)]
            refs += [(t, (*base, "instruments")) for t in rule.instruments]
            for g, guard in enumerate(rule.unless):
                refs += [(t, (*base, "unless", g)) for t in condition_refs(guard.when)]
            for ref, where in refs:
                if ref.startswith("$") and ref[1:] not in known:
                    errors.append(
                        RuleError(
                            f"rule {rule.id!r}: unknown list {ref!r} (language {lang!r})",
                            file=f.path,
                            line=f.line_of(where),
                        )
                    )
            for ref in rule.instruments:
                if not ref.startswith("$"):
                    errors.append(
                        RuleError(
                            f"rule {rule.id!r}: instruments take '$list' refs, not {ref!r}",
                            file=f.path,
                            line=f.line_of((*base, "instruments")),
                        )
                    )
            for name in rule.skip_cues:
                if name not in known_cues:
                    errors.append(
                        RuleError(
                            f"rule {rule.id!r}: unknown cue set {name!r}",
                            file=f.path,
                            line=f.line_of((*base, "skip_cues")),
                        )
                    )
    return errors


def _yaml_files(paths: Sequence[Path]) -> tuple[list[Path], list[RuleError]]:
    found: list[Path] = []
    errors: list[RuleError] = []
    for p in paths:
        if p.is_dir():
            found.extend(
                sorted(
                    q
                    for q in p.rglob("*.y*ml")
                    # A pack's calibration table (engine/calibration.py) sits beside its rules.
                    if q.suffix in (".yaml", ".yml") and q.name != "calibration.yaml"
                )
            )
        elif p.is_file():
            found.append(p)
        else:
            errors.append(RuleError("no such rule file or directory", file=p))
    return found, errors


def load_rules(paths: Sequence[Path | str] = ()) -> RuleSet:
    """Load every ``*.yaml`` under ``paths`` (the built-in pack when empty); raise all errors."""
    roots = [Path(p) for p in paths] or [builtin_rules_dir()]
    files, errors = _yaml_files(roots)
    if not files and not errors:
        errors.append(RuleError("no rule files found", file=", ".join(map(str, roots))))
    loaded: list[LoadedFile] = []
    for path in files:
        try:
            loaded.append(parse_rule_file(path.read_text(encoding="utf-8"), str(path)))
        except RuleErrors as exc:
            errors.extend(exc.errors)
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(RuleError(f"cannot read: {exc}", file=path))
    errors.extend(_check_refs(loaded))
    if errors:
        raise RuleErrors(errors)
    return RuleSet(tuple(loaded))


def load_rules_text(texts: Sequence[str] | str, *, name: str = "<text>") -> RuleSet:
    """Load rule files given as YAML text (tests, synthetic benchmarks)."""
    items = [texts] if isinstance(texts, str) else list(texts)
    loaded: list[LoadedFile] = []
    errors: list[RuleError] = []
    for i, text in enumerate(items):
        try:
            loaded.append(parse_rule_file(text, f"{name}#{i}" if len(items) > 1 else name))
        except RuleErrors as exc:
            errors.extend(exc.errors)
    errors.extend(_check_refs(loaded))
    if errors:
        raise RuleErrors(errors)
    return RuleSet(tuple(loaded))
