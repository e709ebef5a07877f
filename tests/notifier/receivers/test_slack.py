"""Slack Block Kit messages: valid blocks, and article text that can never ping anyone."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from slack_sdk.models.blocks import Block

from policywatch.notifier.receivers import SlackReceiver
from policywatch.notifier.receivers.slack import escape_text, link, safe_url, slack_message
from policywatch.notifier.webhook_listener import WebhookListener

from ..helpers import make_alert, make_notification

HOSTILE = (
    "<!channel> <!here|here> <!everyone> @channel @here @everyone @Channel "
    "<@U123ABC> <#C42|general> <!subteam^S1|@team> <https://evil.example|click> & more"
)


def _all_text(payload: Any) -> list[str]:
    if isinstance(payload, dict):
        return [t for v in payload.values() for t in _all_text(v)]
    if isinstance(payload, list):
        return [t for v in payload for t in _all_text(v)]
    return [payload] if isinstance(payload, str) else []


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here>", "&lt;!here&gt;"),
        ("<!everyone>", "&lt;!everyone&gt;"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("<#C123>", "&lt;#C123&gt;"),
        ("@channel", "@\u200bchannel"),
        ("@here!", "@\u200bhere!"),
        ("@EVERYONE", "@\u200bEVERYONE"),
        ("AT&T <b>", "AT&amp;T &lt;b&gt;"),
        ("&lt;!channel&gt;", "&amp;lt;!channel&amp;gt;"),
        ("mail me@hereford.gov", "mail me@hereford.gov"),
        ("@channels", "@channels"),
    ],
)
def test_the_escaper_neutralises_mentions_and_markup(raw: str, escaped: str) -> None:
    assert escape_text(raw) == escaped


def test_no_text_anywhere_in_the_message_can_mention() -> None:
    alert = make_alert(evidence=HOSTILE, title=HOSTILE, source=HOSTILE)
    message = slack_message(make_notification(alert, sources=3))
    mention = re.compile(r"<[!@#]|@(channel|here|everyone)\b", re.IGNORECASE)
    for text in _all_text(message):
        assert not mention.search(text), text


def test_the_message_is_valid_block_kit() -> None:
    message = slack_message(make_notification(make_alert(evidence=HOSTILE), sources=12))
    blocks = Block.parse_all(message["blocks"])
    assert [b.type for b in blocks] == [
        "header",
        "section",
        "section",
        "section",
        "context",
        "context",
    ]
    for block in blocks:
        block.validate_json()
    assert [b.to_dict() for b in blocks] == message["blocks"]
    body = "\n".join(_all_text(message))
    assert "*Corroboration*\n12 articles" in body
    assert "Ukraine" in body and "ATACMS" in body and "0.90" in body
    assert "<https://news.example/1|Headline 1>" in body
    assert "and 3 more" in body  # 11 others, 8 listed


def test_an_update_says_so_in_the_header() -> None:
    message = slack_message(make_notification(sequence=2, sources=2))
    assert message["blocks"][0]["text"]["text"].startswith("Update: ")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x?q=1", "https://a.example/x?q=1"),
        ("https://a.example/x|<!channel>", "https://a.example/x%7C%3C!channel%3E"),
        ("javascript:alert(1)", None),
        ("ftp://a.example/", None),
        (None, None),
    ],
)
def test_links_only_to_http_and_never_break_out(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_a_link_without_a_safe_url_is_just_text() -> None:
    assert link("javascript:x", "<!here>") == "&lt;!here&gt;"


def test_the_slack_receiver_posts_the_message_to_the_webhook_url() -> None:
    with WebhookListener() as slack, httpx.Client() as client:
        n = make_notification()
        SlackReceiver("analysts", client, slack.url).send(n)
        (d,) = slack.deliveries
    assert d.json() == slack_message(n)
    assert Block.parse_all(d.json()["blocks"])[0].type == "header"
