"""The notifier section of the config file: parsing, validation, secrets."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from policywatch.errors import ConfigError
from policywatch.settings import load_settings
from policywatch.settings.notifier import NotifierSettings, parse_duration

from .helpers import SECRET

EXAMPLE = """
notifier:
  receivers:
    - name: ops
      webhook: {url: "http://127.0.0.1:8080/hook", secret: "%s"}
    - name: analysts
      slack: {url: "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"}
    - name: critical-topic
      kafka: {topic: alerts.critical}
  route:
    receiver: ops
    group_by: [event_type, actor, target]
    group_wait: 10s
    routes:
      - match: {event_type: weapons_restriction_lifted}
        receiver: analysts
        continue: true
      - match_re: {severity: "high|critical"}
        receiver: critical-topic
"""


def test_the_documented_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(EXAMPLE % SECRET, encoding="utf-8")
    settings = load_settings(path)
    n = settings.notifier
    assert [r.kind for r in n.receivers] == ["webhook", "slack", "kafka"]
    assert n.route is not None and n.route.group_wait == 10.0
    assert n.route.routes[0].continue_ is True


def test_secrets_never_appear_in_reprs_or_dumps(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(EXAMPLE % SECRET, encoding="utf-8")
    settings = load_settings(path)
    for text in (repr(settings), str(settings.notifier), settings.model_dump_json()):
        assert SECRET not in text
        assert "XXXXSECRETXXXX" not in text


def _notifier(**section: Any) -> NotifierSettings:
    return NotifierSettings.model_validate(section)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/hook", "file:///etc/passwd", "javascript:alert(1)", "http://"]
)
def test_webhook_and_slack_urls_must_be_http(url: str) -> None:
    with pytest.raises(ValidationError, match="http"):
        _notifier(receivers=[{"name": "a", "webhook": {"url": url, "secret": SECRET}}])
    with pytest.raises(ValidationError, match="http"):
        _notifier(receivers=[{"name": "a", "slack": {"url": url}}])


SHORT_SECRET = "whsec_" + base64.b64encode(b"sixteen byte key").decode()


@pytest.mark.parametrize(
    ("webhook", "key"),
    [
        ({"secret": SHORT_SECRET}, "notifier.receivers.0.webhook.secret"),
        ({"secret": SECRET, "secrets": [SECRET, SHORT_SECRET]}, "webhook.secrets"),
        ({"secrets": ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}, "webhook.secrets"),
    ],
)
def test_a_short_or_malformed_secret_is_a_config_error_naming_the_key_not_the_value(
    webhook: dict[str, Any], key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = {
        "receivers": [{"name": "a", "webhook": {"url": "http://h/x", **webhook}}],
        "route": {"receiver": "a"},
    }
    monkeypatch.setenv("PW_NOTIFIER", json.dumps(section))
    with pytest.raises(ConfigError) as err:
        load_settings(None)
    message = str(err.value)
    assert key in message
    assert "24 bytes" in message or "whsec_ followed by base64" in message
    for secret in (SHORT_SECRET, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"):
        assert secret.removeprefix("whsec_")[:12] not in message


def test_a_webhook_needs_a_secret() -> None:
    with pytest.raises(ValidationError, match="needs a secret"):
        _notifier(
            receivers=[{"name": "a", "webhook": {"url": "http://h/x"}}],
            route={"receiver": "a"},
        )


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"receivers": [{"name": "a", "console": {}}]}, "route is required"),
        ({"route": {"receiver": "a"}}, "needs notifier.receivers"),
        (
            {"receivers": [{"name": "a", "console": {}}], "route": {"receiver": "b"}},
            "unknown receiver 'b'",
        ),
        (
            {
                "receivers": [{"name": "a", "console": {}}],
                "route": {"receiver": "a", "routes": [{"receiver": "zz"}]},
            },
            "unknown receiver 'zz'",
        ),
        (
            {"receivers": [{"name": "a", "console": {}}, {"name": "a", "console": {}}]},
            "duplicate receiver names: a",
        ),
        ({"receivers": [{"name": "a"}], "route": {"receiver": "a"}}, "exactly one"),
        (
            {
                "receivers": [{"name": "a", "console": {}, "kafka": {"topic": "t"}}],
                "route": {"receiver": "a"},
            },
            "exactly one",
        ),
        (
            {
                "receivers": [{"name": "a", "console": {}}],
                "route": {"receiver": "a", "match": {"actor": "US"}},
            },
            "root route matches every alert",
        ),
        ({"receivers": [], "route": {"routes": []}}, "needs notifier.receivers"),
        (
            {"receivers": [{"name": "a", "console": {}}], "route": {"group_by": ["actor"]}},
            "root route needs a receiver",
        ),
        (
            {
                "receivers": [{"name": "a", "console": {}}],
                "route": {"receiver": "a", "group_wait": "soon"},
            },
            "not a duration",
        ),
        (
            {
                "receivers": [{"name": "a", "console": {}}],
                "route": {"receiver": "a", "group_by": ["article_id"]},
            },
            "group_by",
        ),
    ],
)
def test_inconsistent_sections_are_rejected(section: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _notifier(**section)


def test_an_invalid_section_in_a_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("notifier:\n  route: {receiver: nobody}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="notifier"):
        load_settings(path)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("500ms", 0.5), ("30s", 30.0), ("5m", 300.0), ("4h", 14400.0), ("1d", 86400.0), ("7", 7.0)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_no_receivers_means_console_out_of_the_box() -> None:
    n = NotifierSettings()
    assert [r.kind for r in n.effective_receivers()] == ["console"]
    assert n.effective_route().receiver == "console"


def test_the_example_in_docs_loads(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "notifier.md").read_text("utf-8")
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "config.yaml"
    path.write_text(block, encoding="utf-8")
    n = load_settings(path).notifier
    assert {r.name for r in n.receivers} == {"ops", "analysts", "critical-topic", "desk"}
    assert [r.kind for r in n.receivers][-1] == "slack_bot"
    assert len(n.inhibit_rules) == 1


def test_the_section_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PW_NOTIFIER",
        '{"receivers": [{"name": "k", "kafka": {"topic": "t"}}], "route": {"receiver": "k"}}',
    )
    assert load_settings().notifier.receivers[0].kind == "kafka"
