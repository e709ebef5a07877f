"""One settings tree for every service, built once at the entry point and passed down.

Sources, highest priority first: environment variables (``PW_`` prefix, ``__`` for nesting,
e.g. ``PW_KAFKA__BOOTSTRAP_SERVERS``), then the YAML file given with ``policywatch --config``,
then the defaults below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from policywatch.errors import ConfigError
from policywatch.notifier.config import Duration, NotifierSettings


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KafkaSettings(_Section):
    bootstrap_servers: str = Field(
        "127.0.0.1:9092", description="Comma-separated host:port list of the Kafka cluster"
    )
    client_id: str = "policywatch"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    # A consumer-group join can wait up to max_poll_interval_ms on some brokers (Tansu): keep it
    # small; the detector polls far more often than this anyway.
    max_poll_interval_ms: int = Field(10_000, ge=1_000)
    session_timeout_ms: int = Field(10_000, ge=1_000)
    heartbeat_interval_ms: int = Field(2_000, ge=100)
    # Produce->alert latency follows this: a fetch long-poll may not return early on new data.
    fetch_max_wait_ms: int = Field(10, ge=0)
    max_poll_records: int = Field(500, ge=1)
    # How long a produced message may wait for others to share its request. The detector
    # applies it to its own bursts of alerts (its producer itself sends at once).
    linger_ms: int = Field(5, ge=0)
    request_timeout_ms: int = Field(30_000, ge=1_000)
    # Large enough to dead-letter an oversized article the broker accepted.
    max_request_size: int = Field(32 * 1024 * 1024, ge=1_048_576)
    topic_partitions: int = Field(3, ge=1, description="Partitions for topics policywatch creates")
    topic_replication_factor: int = Field(1, ge=1)


class TopicSettings(_Section):
    articles: str = "articles"
    articles_dlq: str = "articles.dlq"
    alerts: str = "alerts"
    alerts_dlq: str = "alerts.dlq"
    notifier_state: str = "policywatch.notifier.state"
    ingest_state: str = "policywatch.ingest.state"


class RulesSettings(_Section):
    paths: tuple[Path, ...] = Field(
        (), description="Rule directories or files; empty means the built-in rule pack"
    )
    reload_interval_s: float = Field(
        5.0, gt=0, description="How often the detector checks the rule files for changes"
    )


class DetectorSettings(_Section):
    group_id: str = "policywatch-detector"
    max_article_bytes: int = Field(
        2_000_000, ge=1_024, description="Larger messages are dead-lettered as too_large"
    )
    dedupe_window: int = Field(
        100_000, ge=0, description="Recent articles remembered to dead-letter exact duplicates"
    )
    commit_interval_ms: int = Field(
        200,
        ge=0,
        description=(
            "How often processed offsets are committed (after their alerts are acknowledged); "
            "0 commits after every polled batch"
        ),
    )
    metrics_port: int = Field(9464, ge=0, le=65535, description="0 disables the HTTP endpoint")
    metrics_host: str = "0.0.0.0"


# --- ingest (feeds -> articles); docs/ingest.md -------------------------------------------------
class FeedSettings(_Section):
    """One RSS or Atom feed that ``policywatch ingest`` polls."""

    name: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Unique name, used in metrics and logs",
    )
    url: str = Field(description="http(s) URL of the RSS or Atom document")
    language: str | None = Field(
        None, max_length=35, description="Language hint; else the feed's own, then detection"
    )
    poll_interval: Duration | None = Field(None, gt=0, description="Overrides ingest.poll_interval")
    fetch_article: bool = Field(
        False, description="Fetch each item's link and extract the main text of the page"
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return url


class IngestSettings(_Section):
    feeds: tuple[FeedSettings, ...] = ()
    poll_interval: Duration = Field(60.0, gt=0, description="Default time between two polls")
    user_agent: str = Field(
        "policywatch/0.1 (+https://example.org/contact)",
        min_length=1,
        description="Sent with every request; say who you are and how to reach you",
    )
    allow_private_addresses: bool = Field(
        False, description="Let fetch_article reach loopback, private and link-local addresses"
    )
    timeout: Duration = Field(15.0, gt=0, description="Timeout of one HTTP request")
    max_response_bytes: int = Field(
        5_000_000, ge=1_024, description="A larger response is cut off and counted as too_large"
    )
    max_redirects: int = Field(3, ge=0, le=10)
    max_backoff: Duration = Field(3600.0, gt=0, description="Cap of the per-feed error backoff")
    max_retry_after: Duration = Field(6 * 3600.0, ge=0, description="Cap on a server's Retry-After")
    concurrency: int = Field(4, ge=1, le=64, description="Feeds fetched at once (one per host)")
    forget_after: Duration = Field(
        30 * 86400.0,
        gt=0,
        description="An id gone from its feed this long is dropped from the seen-state",
    )
    metrics_port: int = Field(9466, ge=0, le=65535, description="0 disables the HTTP endpoint")
    metrics_host: str = "0.0.0.0"

    @field_validator("feeds")
    @classmethod
    def _unique_names(cls, feeds: tuple[FeedSettings, ...]) -> tuple[FeedSettings, ...]:
        names = [f.name for f in feeds]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"feed names must be unique: {', '.join(duplicates)}")
        return feeds

    def interval(self, feed: FeedSettings) -> float:
        return feed.poll_interval if feed.poll_interval is not None else self.poll_interval


# ------------------------------------------------------------------------------------------------


class LoggingSettings(_Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["json", "console"] = "json"


class Settings(BaseSettings):
    """The whole configuration of policywatch."""

    model_config = SettingsConfigDict(
        env_prefix="PW_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
        # A validation error must not echo what was typed: it may be a secret (a Slack URL, a
        # webhook secret, a misspelt sasl_password key). Only the root's setting counts.
        hide_input_in_errors=True,
    )

    kafka: KafkaSettings = KafkaSettings()
    topics: TopicSettings = TopicSettings()
    rules: RulesSettings = RulesSettings()
    detector: DetectorSettings = DetectorSettings()
    logging: LoggingSettings = LoggingSettings()
    ingest: IngestSettings = Field(
        default_factory=IngestSettings, description="Feeds to poll (docs/ingest.md)"
    )
    notifier: NotifierSettings = Field(
        default_factory=NotifierSettings, description="Routing and receivers (docs/notifier.md)"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the YAML file (passed as init kwargs), which beats defaults.
        return env_settings, init_settings


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """The problem and its position, without PyYAML's snippet of the line (it may hold a secret)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return f"{where}{exc.problem or exc.context or 'syntax error'}"
    return type(exc).__name__


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Build the settings from the environment, an optional YAML file and explicit overrides."""
    data: dict[str, Any] = {}
    if config_file is not None:
        path = Path(config_file)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(
                f"config file {path} is not valid YAML: {_yaml_problem(exc)}"
            ) from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"config file {path} must hold a mapping at the top level")
        data.update(loaded)
    data.update(overrides)
    try:
        return Settings(**data)
    except ValidationError as exc:
        where = f" in {config_file}" if config_file else ""
        raise ConfigError(f"invalid settings{where}:\n{exc}") from exc


__all__ = [
    "DetectorSettings",
    "FeedSettings",
    "IngestSettings",
    "KafkaSettings",
    "LoggingSettings",
    "RulesSettings",
    "Settings",
    "TopicSettings",
    "load_settings",
]
