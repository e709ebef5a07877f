"""``policywatch config check``: every problem of a config, each named by file and key.

Validation runs in layers, so that one bad field does not hide another: the whole tree through
the settings models (pydantic reports every field error at once), then checks on the file's
plain data that the models can only make once every field is valid (a route naming a receiver
that does not exist) or that are stricter than what the service accepts at start (a webhook
secret shorter than the 24 bytes Standard Webhooks asks for). Values are never echoed: they may
be secrets.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from policywatch.errors import ConfigError
from policywatch.settings.tree import Settings, load_settings

#: Standard Webhooks: a secret is 24 to 64 random bytes, base64-encoded after ``whsec_``.
MIN_WEBHOOK_SECRET_BYTES = 24


@dataclass(frozen=True, slots=True)
class Problem:
    source: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.key}: {self.message}"


def _key(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _raw(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}  # load_settings reports it
    return loaded if isinstance(loaded, dict) else {}


def _routes(route: Any, key: str) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(route, dict):
        return []
    found = [(key, route)]
    children = route.get("routes")
    if isinstance(children, list):
        for i, child in enumerate(children):
            found.extend(_routes(child, f"{key}.routes.{i}"))
    return found


def _unknown_receivers(notifier: dict[str, Any]) -> list[tuple[str, str]]:
    receivers = notifier.get("receivers")
    listed = receivers if isinstance(receivers, list) else []
    names = {r.get("name") for r in listed if isinstance(r, dict)}
    out: list[tuple[str, str]] = []
    for key, route in _routes(notifier.get("route"), "notifier.route"):
        name = route.get("receiver")
        if isinstance(name, str) and name not in names:
            known = ", ".join(sorted(n for n in names if isinstance(n, str))) or "none"
            out.append((f"{key}.receiver", f"unknown receiver {name!r} (receivers: {known})"))
    return out


def _short_secrets(notifier: dict[str, Any]) -> list[tuple[str, str]]:
    receivers = notifier.get("receivers")
    out: list[tuple[str, str]] = []
    for i, receiver in enumerate(receivers if isinstance(receivers, list) else []):
        hook = receiver.get("webhook") if isinstance(receiver, dict) else None
        secret = hook.get("secret") if isinstance(hook, dict) else None
        if not isinstance(secret, str):
            continue
        try:
            key = base64.b64decode(secret.removeprefix("whsec_") + "==", validate=False)
        except (binascii.Error, ValueError):
            continue  # the model reports a secret that is not base64
        if len(key) < MIN_WEBHOOK_SECRET_BYTES:
            out.append(
                (
                    f"notifier.receivers.{i}.webhook.secret",
                    f"secret is {len(key)} bytes after whsec_; use at least "
                    f"{MIN_WEBHOOK_SECRET_BYTES} random bytes (policywatch's generate_secret)",
                )
            )
    return out


def check_config(path: Path | str | None) -> tuple[Settings | None, list[Problem]]:
    """The settings (None when invalid) and every problem found in ``path`` plus environment."""
    file = Path(path) if path is not None else None
    source = str(file) if file is not None else "<environment>"
    problems: list[Problem] = []
    settings: Settings | None = None
    try:
        settings = load_settings(file)
    except ConfigError as exc:
        cause = exc.__cause__
        if not isinstance(cause, ValidationError):
            return None, [Problem(source, "(file)", str(exc))]
        for error in cause.errors():
            loc = tuple(error["loc"])
            # The cross-field check below reports each unknown receiver with its own key.
            if loc == ("notifier",) and "unknown receiver" in error["msg"]:
                continue
            message = error["msg"].removeprefix("Value error, ")
            problems.append(Problem(source, _key(loc), message))
    notifier = _raw(file).get("notifier")
    if isinstance(notifier, dict):
        taken = {p.key for p in problems}
        for key, message in [*_unknown_receivers(notifier), *_short_secrets(notifier)]:
            if key not in taken:
                problems.append(Problem(source, key, message))
    return (settings if not problems else None), problems


__all__ = ["MIN_WEBHOOK_SECRET_BYTES", "Problem", "check_config"]
