"""The root of the settings tree and the one function that builds it.

Sources, highest priority first: environment variables (``PW_`` prefix, ``__`` for nesting,
e.g. ``PW_KAFKA__BOOTSTRAP_SERVERS``), then the YAML file (``policywatch --config FILE`` or
``PW_CONFIG``), then the defaults of the section models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from policywatch.errors import ConfigError
from policywatch.settings.ingest import IngestSettings
from policywatch.settings.notifier import NotifierSettings
from policywatch.settings.sections import (
    DetectorSettings,
    KafkaSettings,
    LoggingSettings,
    RulesSettings,
    TopicSettings,
)


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
    where = f" in {config_file}" if config_file else ""
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings{where}:\n{exc}") from exc
    except SettingsError as exc:  # e.g. PW_NOTIFIER that is not JSON
        raise ConfigError(f"invalid settings{where}: {exc}{_cause(exc)}") from exc


def _cause(exc: SettingsError) -> str:
    """Where a JSON value broke, never the value (it may hold a secret)."""
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return f": not JSON ({cause.msg} at line {cause.lineno}, column {cause.colno})"
    return f" ({type(cause).__name__})" if cause is not None else ""


__all__ = ["Settings", "load_settings"]
