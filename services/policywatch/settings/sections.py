"""The sections of the settings tree other than ``notifier:`` (see ``settings/notifier.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


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
    # Failed notifications wait here, keyed by receiver, until their next attempt is due.
    alerts_retry: str = "alerts.retry"
    notifier_state: str = "policywatch.notifier.state"
    ingest_state: str = "policywatch.ingest.state"
    silences: str = Field(
        "policywatch.silences",
        description="Compacted topic of the notifier's silences (policywatch silence add)",
    )


class RulesSettings(_Section):
    paths: tuple[Path, ...] = Field(
        (), description="Rule directories or files; empty means the built-in rule pack"
    )
    reload_interval_s: float = Field(
        5.0, gt=0, description="How often the detector checks the rule files for changes"
    )


class DetectorSettings(_Section):
    group_id: str = "policywatch-detector"
    auto_offset_reset: Literal["earliest", "latest"] = Field(
        "earliest",
        description="Where the group starts when it has no committed offset (a first deploy, "
        "a new group_id): earliest reads the topic's history, latest only what comes next",
    )
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
