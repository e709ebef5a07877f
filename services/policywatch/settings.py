"""One settings tree for every service, built once at the entry point and passed down.

Sources, highest priority first: environment variables (``PW_`` prefix, ``__`` for nesting,
e.g. ``PW_KAFKA__BOOTSTRAP_SERVERS``), then the YAML file given with ``policywatch --config``,
then the defaults below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from policywatch.errors import ConfigError
from policywatch.notifier.config import NotifierSettings


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
    "KafkaSettings",
    "LoggingSettings",
    "RulesSettings",
    "Settings",
    "TopicSettings",
    "load_settings",
]
