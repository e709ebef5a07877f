"""Slack Block Kit messages for notifications, with article text that can never ping anyone.

Article text is untrusted. In ``mrkdwn`` Slack reads ``<!channel>``, ``<!here>``,
``<!everyone>``, ``<@U123>``, ``<#C123>`` and ``<!subteam^…>`` as mentions and ``<url|label>`` as
links; escaping ``&``, ``<`` and ``>`` (Slack's own rule) turns all of them into literal text.
Bare ``@channel``/``@here``/``@everyone`` can be linked by a client that sets ``link_names``, so a
zero-width space is put after the ``@``. Link targets are limited to http(s) and percent-encode
the characters that would end a link.

:class:`SlackReceiver` posts the message to an incoming webhook.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import httpx

from policywatch.notifier.notification import Notification
from policywatch.notifier.receivers.http import USER_AGENT, post

_BROADCAST = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_ZWSP = "\u200b"
#: Slack's limits: header text 150, section text 3000, a field 2000, context element 2000.
_HEADER_MAX = 150
_TEXT_MAX = 3000
_FIELD_MAX = 2000
_QUOTE_MAX = 600
_MAX_LISTED_SOURCES = 8
_URL_BREAKERS = str.maketrans({"<": "%3C", ">": "%3E", "|": "%7C", " ": "%20"})


def escape_text(text: str) -> str:
    """Untrusted text made safe for ``mrkdwn`` (and for the message's fallback ``text``)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@" + _ZWSP, escaped)


def plain(text: str) -> str:
    """Untrusted text for a ``plain_text`` object: no markup is read there, only broadcasts."""
    return _BROADCAST.sub("@" + _ZWSP, text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(url: str | None) -> str | None:
    """An http(s) URL that cannot break out of ``<url|label>``; None for anything else."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    out = url.strip().translate(_URL_BREAKERS)
    return "".join(c if c.isprintable() else "" for c in out)


def link(url: str | None, label: str) -> str:
    target = safe_url(url)
    text = escape_text(" ".join(label.split())) or "article"
    return f"<{target}|{text}>" if target else text


def _title(n: Notification) -> str:
    a = n.alert
    event = a.event_type.replace("_", " ")
    target = f" → {a.target.name}" if a.target else ""
    prefix = "Update: " if n.kind == "update" else ""
    return f"{prefix}{event[:1].upper()}{event[1:]}: {a.actor.name}{target}"


def fallback_text(n: Notification) -> str:
    return escape_text(f"{_title(n)} ({n.corroboration} source{'s' * (n.corroboration != 1)})")


def slack_message(n: Notification) -> dict[str, Any]:
    """The incoming-webhook payload: ``text`` for notifications, ``blocks`` for the message."""
    a = n.alert
    target = f"{a.target.name} ({a.target.code})" if a.target else "—"
    fields = [
        f"*Event*\n`{a.event_type}`",
        f"*Actor → target*\n{escape_text(a.actor.name)} ({a.actor.code}) → {escape_text(target)}",
        f"*Instruments*\n{escape_text(', '.join(a.instruments)) or '—'}",
        f"*Severity*\n{a.severity}",
        f"*Confidence*\n{n.max_confidence:.2f}",
        f"*Corroboration*\n{n.corroboration} article{'s' * (n.corroboration != 1)}",
    ]
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _clip(plain(_title(n)), _HEADER_MAX)},
        },
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": _clip(f, _FIELD_MAX)} for f in fields],
        },
    ]
    evidence = a.evidence[0].text
    quote = escape_text(_clip(" ".join(evidence.split()), _QUOTE_MAX))
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f">{quote}"}})
    art = a.article
    headline = link(art.url, art.title or art.id)
    source = escape_text(art.source)
    blocks.append(
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _clip(f"{headline}\n_{source}_", _TEXT_MAX)},
        }
    )
    others = [s for s in n.sources if s.id != art.id][:_MAX_LISTED_SOURCES]
    if others:
        listed = " · ".join(link(s.url, s.source) for s in others)
        more = n.corroboration - 1 - len(others)
        tail = f" and {more} more" if more > 0 else ""
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": _clip(f"Also reported by {listed}{tail}", _FIELD_MAX),
                    }
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": escape_text(
                        f"story {n.story_id} · update {n.sequence} · "
                        f"rule {a.rule.id} v{a.rule.version}"
                    ),
                }
            ],
        }
    )
    return {"text": fallback_text(n), "blocks": blocks}


class SlackReceiver:
    """Posts a Block Kit message to a Slack incoming webhook."""

    def __init__(self, name: str, client: httpx.Client, url: str, timeout: float = 10.0) -> None:
        self._name = name
        self._client = client
        self._url = url
        self._timeout = timeout

    @property
    def name(self) -> str:
        return self._name

    def send(self, notification: Notification) -> None:
        body = json.dumps(slack_message(notification), ensure_ascii=False).encode()
        headers = {"content-type": "application/json", "user-agent": USER_AGENT}
        post(self._client, self._name, self._url, body, headers, self._timeout)

    def close(self) -> None:
        pass
