"""The ``notifier:`` section of the config file: receivers, the routing tree, delivery policy.

The vocabulary is Prometheus Alertmanager's where it fits (``route``, ``receiver``, ``match``,
``match_re``, ``continue``, ``group_by``, ``group_wait``, ``group_interval``,
``repeat_interval``); docs/notifier.md explains each field. Durations are seconds or strings such
as ``"500ms"``, ``"30s"``, ``"5m"``, ``"4h"``, ``"1d"``.

The notifier service reads these models; they live with the rest of the settings tree so that
loading the settings never loads a service.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from policywatch.models.matchers import MatcherError, check_matcher_texts, parse_matcher

#: Alert fields a route can match on and group by (see ``routing.alert_labels``).
Label = Literal[
    "event_type",
    "actor",
    "target",
    "instruments",
    "severity",
    "rule",
    "source",
    "language",
    "confidence",
]
LABELS: tuple[str, ...] = get_args(Label)
DEFAULT_GROUP_BY: tuple[Label, ...] = ("event_type", "actor", "target", "instruments")
CONSOLE_RECEIVER = "console"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION_PATTERN = r"^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*$"


def parse_duration(value: Any) -> Any:
    """``"5m"`` → 300.0; numbers pass through (as seconds); anything else is left to pydantic."""
    if isinstance(value, str):
        m = _DURATION.match(value)
        if not m:
            raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 4h, 1d)")
        return float(m.group(1)) * _UNIT_SECONDS[m.group(2) or "s"]
    return value


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _DURATION_PATTERN},
            ],
            "description": "Seconds, or a string such as 500ms, 30s, 5m, 4h, 1d",
        }
    ),
]


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    return url


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DeliveryPolicy(_Frozen):
    """How hard a receiver is tried before a notification goes to the dead-letter topic."""

    max_attempts: int = Field(8, ge=1, description="Attempts per notification, the first included")
    initial_backoff: Duration = Field(0.5, ge=0, description="Wait before the first retry")
    max_backoff: Duration = Field(60.0, ge=0, description="Cap of the exponential backoff")
    max_retry_after: Duration = Field(
        300.0, ge=0, description="Cap on a receiver's Retry-After header"
    )
    timeout: Duration = Field(10.0, gt=0, description="Timeout of one HTTP attempt")
    queue_size: int = Field(
        100, ge=1, description="Notifications waiting per receiver before partitions are paused"
    )


class WebhookTarget(_Frozen):
    """An HTTP endpoint receiving JSON signed per the Standard Webhooks spec."""

    url: str = Field(description="http(s) URL that receives a POST per notification")
    secret: SecretStr = Field(
        description="Standard Webhooks secret: whsec_ followed by base64 (at least 16 bytes)"
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().removeprefix("whsec_")
        try:
            key = base64.b64decode(raw + "==", validate=False)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("secret must be whsec_ followed by base64") from exc
        if len(key) < 16:
            raise ValueError("secret must decode to at least 16 bytes")
        return value


class SlackTarget(_Frozen):
    """A Slack incoming webhook; the URL is a credential."""

    url: SecretStr = Field(description="Incoming-webhook URL, e.g. https://hooks.slack.com/...")

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        _http_url(value.get_secret_value())
        return value


class SlackBotTarget(_Frozen):
    """A Slack app posting with the Web API: one message per story, edited on each update, with a
    thread reply per update. The token is a credential."""

    token: SecretStr = Field(description="Bot token (xoxb-...) with the chat:write scope")
    channel: str = Field(
        min_length=1, max_length=80, description="Channel id (C0123...) or name (#policy-alerts)"
    )
    base_url: str = Field(
        "https://slack.com/api/", description="Web API base URL (a test points it at a fake)"
    )

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value)


class KafkaTarget(_Frozen):
    """A Kafka topic on the notifier's own cluster; the record key is the story id."""

    topic: str = Field(min_length=1, max_length=249, pattern=r"^[A-Za-z0-9._-]+$")


class ConsoleTarget(_Frozen):
    """Human-readable lines on stdout."""


ReceiverKind = Literal["webhook", "slack", "slack_bot", "kafka", "console"]


class ReceiverConfig(_Frozen):
    """A named receiver: exactly one of ``webhook``, ``slack``, ``slack_bot``, ``kafka``,
    ``console``."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    webhook: WebhookTarget | None = None
    slack: SlackTarget | None = None
    slack_bot: SlackBotTarget | None = None
    kafka: KafkaTarget | None = None
    console: ConsoleTarget | None = None
    delivery: DeliveryPolicy | None = Field(
        None, description="Overrides notifier.delivery for this receiver"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> ReceiverConfig:
        kinds = [k for k in get_args(ReceiverKind) if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                f"receiver {self.name!r} needs exactly one of {', '.join(get_args(ReceiverKind))} "
                f"(got {', '.join(kinds) or 'none'})"
            )
        return self

    @property
    def kind(self) -> ReceiverKind:
        if self.webhook is not None:
            return "webhook"
        if self.slack is not None:
            return "slack"
        if self.slack_bot is not None:
            return "slack_bot"
        return "kafka" if self.kafka is not None else "console"


class Route(_Frozen):
    """A node of the routing tree; unset fields are inherited from the parent route."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    receiver: str | None = Field(None, description="Receiver name; inherited when unset")
    match: dict[Label, str] = Field(
        default_factory=dict, description="Label values that must be equal"
    )
    match_re: dict[Label, str] = Field(
        default_factory=dict, description="Regular expressions that must match the whole value"
    )
    matchers: tuple[str, ...] = Field(
        (),
        description="Alertmanager matchers that must all match, e.g. 'actor!=\"US\"', "
        "'event_type=~\"sanctions_.*\"' (regexes anchored)",
    )
    continue_: bool = Field(
        False,
        alias="continue",
        description="After this route matched, keep trying its later siblings",
    )
    group_by: tuple[Label, ...] | None = Field(
        None, description="Labels that make a story (alerts with equal values are grouped)"
    )
    group_wait: Duration | None = Field(
        None, ge=0, description="Wait after a story's first alert before notifying"
    )
    group_interval: Duration | None = Field(
        None, ge=0, description="Minimum time between updates of one story"
    )
    repeat_interval: Duration | None = Field(
        None,
        gt=0,
        description="Story window: an alert arriving after the story was quiet this long "
        "(by detected_at) opens a new story and notifies afresh",
    )
    routes: tuple[Route, ...] = ()

    @field_validator("match_re")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        for label, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"match_re.{label}: invalid regex {pattern!r}: {exc}") from exc
        return value

    @field_validator("matchers")
    @classmethod
    def _matchers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _valid_matchers(value)

    def walk(self) -> Iterator[Route]:
        yield self
        for child in self.routes:
            yield from child.walk()


def _valid_matchers(texts: tuple[str, ...]) -> tuple[str, ...]:
    problems = check_matcher_texts(texts)
    for text in texts:
        try:
            name = parse_matcher(text).name
        except MatcherError:
            continue
        if name not in LABELS:
            problems.append(f"{text!r}: unknown label {name!r} (one of {', '.join(LABELS)})")
    if problems:
        raise ValueError("; ".join(problems))
    return texts


class InhibitRule(_Frozen):
    """While a story matching ``source_matchers`` is open, stories matching ``target_matchers``
    whose ``equal`` labels have the same values are not notified (Alertmanager's rule)."""

    source_matchers: tuple[str, ...] = Field(
        min_length=1, description="Matchers of the inhibiting (source) story"
    )
    target_matchers: tuple[str, ...] = Field(
        min_length=1, description="Matchers of the inhibited (target) stories"
    )
    equal: tuple[Label, ...] = Field(
        (), description="Labels that must have equal values in source and target"
    )

    @field_validator("source_matchers", "target_matchers")
    @classmethod
    def _matchers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _valid_matchers(value)


class NotifierSettings(_Frozen):
    """The notifier service: a consumer group on ``alerts`` delivering to receivers."""

    group_id: str = "policywatch-notifier"
    metrics_port: int = Field(9465, ge=0, le=65535, description="0 disables the HTTP endpoint")
    metrics_host: str = "0.0.0.0"
    receivers: tuple[ReceiverConfig, ...] = Field(
        (), description="Where notifications go; empty means a console receiver on stdout"
    )
    route: Route | None = Field(
        None, description="Root of the routing tree; required when receivers are configured"
    )
    delivery: DeliveryPolicy = DeliveryPolicy()
    inhibit_rules: tuple[InhibitRule, ...] = Field(
        (), description="Stories that mute other stories while open (docs/notifier.md)"
    )
    max_pending_alerts: int = Field(
        10_000,
        ge=1,
        description="Alerts per partition waiting for delivery before the partition is paused",
    )
    max_sources: int = Field(20, ge=1, le=500, description="Sources listed in one notification")

    @model_validator(mode="after")
    def _consistent(self) -> NotifierSettings:
        names = [r.name for r in self.receivers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate receiver names: {', '.join(dupes)}")
        if self.route is None:
            if self.receivers:
                raise ValueError("notifier.route is required when receivers are configured")
            return self
        if not self.receivers:
            raise ValueError("notifier.route needs notifier.receivers")
        root = self.route
        if root.receiver is None:
            raise ValueError("the root route needs a receiver (the default one)")
        if root.match or root.match_re or root.matchers or root.continue_:
            raise ValueError(
                "the root route matches every alert: no match, match_re, matchers, continue"
            )
        known = set(names)
        for route in root.walk():
            if route.receiver is not None and route.receiver not in known:
                raise ValueError(f"route refers to unknown receiver {route.receiver!r}")
        return self

    def effective_receivers(self) -> tuple[ReceiverConfig, ...]:
        if self.receivers:
            return self.receivers
        return (ReceiverConfig(name=CONSOLE_RECEIVER, console=ConsoleTarget()),)

    def effective_route(self) -> Route:
        return self.route if self.route is not None else Route(receiver=CONSOLE_RECEIVER)

    def policy_for(self, receiver: ReceiverConfig) -> DeliveryPolicy:
        return receiver.delivery or self.delivery


def notifier_json_schema() -> dict[str, Any]:
    """The JSON Schema of the ``notifier:`` section (written to schemas/notifier.schema.json)."""
    schema = NotifierSettings.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://policywatch.dev/schemas/notifier.schema.json"
    return schema


__all__ = [
    "CONSOLE_RECEIVER",
    "DEFAULT_GROUP_BY",
    "LABELS",
    "ConsoleTarget",
    "DeliveryPolicy",
    "InhibitRule",
    "KafkaTarget",
    "Label",
    "NotifierSettings",
    "ReceiverConfig",
    "Route",
    "SlackBotTarget",
    "SlackTarget",
    "WebhookTarget",
    "notifier_json_schema",
    "parse_duration",
]
