from __future__ import annotations

from pathlib import Path

import pytest

from policywatch.errors import ConfigError
from policywatch.settings import load_settings


def test_environment_overrides_nested_with_double_underscore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PW_KAFKA__BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("PW_TOPICS__ALERTS", "policy-alerts")
    settings = load_settings()
    assert settings.kafka.bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert settings.topics.alerts == "policy-alerts"
    assert settings.topics.articles == "articles"


def test_yaml_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "pw.yaml"
    config.write_text("kafka:\n  fetch_max_wait_ms: 50\n  client_id: from-file\n")
    monkeypatch.setenv("PW_KAFKA__CLIENT_ID", "from-env")
    settings = load_settings(config)
    assert settings.kafka.fetch_max_wait_ms == 50
    assert settings.kafka.client_id == "from-env"


def test_unknown_keys_and_bad_values_are_errors_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "pw.yaml"
    config.write_text("kafka:\n  bootstrap_server: typo:9092\n")
    with pytest.raises(ConfigError, match=r"pw\.yaml"):
        load_settings(config)
    config.write_text("kafka: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(config)


def test_sasl_password_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PW_KAFKA__SASL_PASSWORD", "hunter2")
    settings = load_settings()
    assert "hunter2" not in repr(settings)
    assert settings.kafka.sasl_password is not None
    assert settings.kafka.sasl_password.get_secret_value() == "hunter2"


def test_a_section_that_is_not_json_is_a_config_error_that_hides_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = '{"receivers": [{"name": "a", "slack": {"url": "https://hooks.example/TOPSECRET"}}'
    monkeypatch.setenv("PW_NOTIFIER", broken)
    with pytest.raises(ConfigError) as err:
        load_settings(None)
    message = str(err.value)
    assert '"notifier"' in message and "not JSON" in message and "column" in message
    assert "TOPSECRET" not in message
