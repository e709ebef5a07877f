"""The ``notifier:`` section of the config file: receivers, the routing tree, delivery policy.

The vocabulary is Prometheus Alertmanager's where it fits (``route``, ``receiver``, ``match``,
``match_re``, ``continue``, ``group_by``, ``group_wait``, ``group_interval``,
``repeat_interval``); docs/notifier.md explains each field. Durations are seconds or strings such
as ``"500ms"``, ``"30s"``, ``"5m"``, ``"1h30m"``, ``"1d"``, ``"1w"``.

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

_UNIT_SECONDS = {
    "ms": 0.001,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
    "y": 31536000.0,
}
# Prometheus durations: one or more number+unit parts, largest unit first (``1h30m``, ``1w``).
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")
_BARE_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_DURATION_PATTERN = r"^\s*(\d+(\.\d+)?|(\d+(\.\d+)?(ms|s|m|h|d|w|y))+)\s*$"


def parse_duration(value: Any) -> Any:
    """``"5m"`` → 300.0, ``"1h30m"`` → 5400.0; numbers pass through (as seconds); anything else
    is left to pydantic."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _BARE_NUMBER.match(text):
        return float(text)
    total, end = 0.0, 0
    for m in _PART.finditer(text):
        if m.start() != end:
            break
        total += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        end = m.end()
    if end == 0 or end != len(text):
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 1h30m, 1d, 1w)")
    return total


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _DURATION_PATTERN},
            ],
            "description": "Seconds, or a string such as 500ms, 30s, 5m, 1h30m, 1d, 1w",
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


#: Svix's schedule: after the immediate attempt, retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h later.
DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0)


class DeliveryPolicy(_Frozen):
    """How hard a receiver is tried before a notification goes to the dead-letter topic."""

    retry_schedule: tuple[Duration, ...] = Field(
        DEFAULT_RETRY_SCHEDULE,
        max_length=50,
        description="Delays before each retry, after the immediate first attempt; a failed "
        "notification waits on the retry topic, then goes to the dead-letter topic when the "
        "list is spent (empty: no retries)",
    )
    max_retry_after: Duration = Field(
        300.0,
        ge=0,
        description="Cap on a receiver's Retry-After header (it can only lengthen a wait)",
    )
    timeout: Duration = Field(15.0, gt=0, description="Timeout of one HTTP attempt")
    queue_size: int = Field(
        100,
        ge=1,
        description="Notifications held in memory per receiver; more go to the retry topic",
    )

    @field_validator("retry_schedule")
    @classmethod
    def _non_negative(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(delay < 0 for delay in value):
            raise ValueError("retry delays must not be negative")
        return value

    @property
    def max_attempts(self) -> int:
        return 1 + len(self.retry_schedule)


#: Standard Webhooks: secrets between 24 and 64 bytes.
MIN_SECRET_BYTES = 24


def _check_secret(value: SecretStr, key: str) -> SecretStr:
    """Errors name the key, never the value (it is a credential)."""
    raw = value.get_secret_value()
    if not raw.startswith("whsec_"):
        raise ValueError(f"{key} must be whsec_ followed by base64")
    try:
        decoded = base64.b64decode(raw.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{key} must be whsec_ followed by base64") from None
    if len(decoded) < MIN_SECRET_BYTES:
        raise ValueError(f"{key} must decode to at least {MIN_SECRET_BYTES} bytes")
    return value


class WebhookTarget(_Frozen):
    """An HTTP endpoint receiving JSON signed per the Standard Webhooks spec."""

    url: str = Field(description="http(s) URL that receives a POST per notification")
    secret: SecretStr | None = Field(
        None,
        description="Standard Webhooks secret: whsec_ followed by base64 of at least 24 bytes",
    )
    secrets: tuple[SecretStr, ...] = Field(
        (),
        max_length=10,
        description="More secrets, for a rotation: every request carries one signature per "
        "secret (v1,sig1 v1,sig2), so the receiver may verify with either",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else _check_secret(value, "secret")

    @field_validator("secrets")
    @classmethod
    def _secrets(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for i, secret in enumerate(value):
            _check_secret(secret, f"secrets[{i}]")
        return value

    @model_validator(mode="after")
    def _some_secret(self) -> WebhookTarget:
        if self.secret is None and not self.secrets:
            raise ValueError("a webhook needs a secret (or secrets)")
        return self

    def signing_secrets(self) -> list[str]:
        """Every secret, unwrapped: only the receiver that signs calls this."""
        first = [self.secret] if self.secret is not None else []
        return [s.get_secret_value() for s in (*first, *self.secrets)]


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
    auto_offset_reset: Literal["earliest", "latest"] = Field(
        "earliest",
        description="Where the group starts on alerts when it has no committed offset (a first "
        "deploy, a new group_id): earliest notifies the topic's history, latest only new alerts. "
        "The retry topic is always read from the earliest",
    )
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
    "DEFAULT_RETRY_SCHEDULE",
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
