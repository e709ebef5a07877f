"""A Slack app receiver: one message per story, edited as outlets corroborate it, with a short
thread reply per update.

The first notification of a story posts a message (``chat.postMessage``) and records its
channel and ``ts`` in :class:`~policywatch.notifier.story_messages.StoryMessages`; each update
edits that message (``chat.update``: corroboration, sources) and replies in its thread
(``chat.postMessage`` with ``thread_ts``). The pipeline keeps the reference in the story's
changelog state, so threading survives a restart.

The message is the Block Kit message of the webhook ``slack`` receiver, with its escaping:
article text can never mention anyone or forge a link. slack_sdk's ``WebClient`` sends, with
its rate-limit handler retrying a 429 after ``Retry-After``; other failures become a
:class:`~policywatch.errors.DeliveryError` for the worker's retry policy.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from policywatch.errors import DeliveryError
from policywatch.notifier.grouping import MessageRef
from policywatch.notifier.notification import Notification
from policywatch.notifier.receivers.slack import escape_text, link, slack_message
from policywatch.notifier.story_messages import StoryMessages

#: Slack error codes worth another attempt; any other ``ok: false`` is a rejection.
_RETRIABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_GONE_ERRORS = frozenset({"account_inactive", "token_revoked", "invalid_auth", "channel_not_found"})
_LISTED_IN_REPLY = 3


class SlackCallError(DeliveryError):
    """A Web API call Slack refused; ``code`` is Slack's ``error`` (e.g. ``ratelimited``)."""

    def __init__(self, message: str, *, code: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.code = code


def thread_reply(n: Notification) -> str:
    """The short reply an update posts in the story's thread."""
    new = list(n.sources[-_LISTED_IN_REPLY:]) if n.sources else []
    listed = ", ".join(link(s.url, s.source) for s in new)
    sources = f"{n.corroboration} source{'s' * (n.corroboration != 1)}"
    return escape_text(f"Update {n.sequence}: now {sources}. ") + (
        f"Latest: {listed}" if listed else ""
    )


class SlackBotReceiver:
    def __init__(
        self,
        name: str,
        token: str,
        channel: str,
        messages: StoryMessages,
        *,
        base_url: str = "https://slack.com/api/",
        timeout: float = 10.0,
        rate_limit_retries: int = 2,
    ) -> None:
        self._name = name
        self._channel = channel
        self._messages = messages
        self._client = WebClient(
            token=token,
            base_url=base_url,
            timeout=max(1, round(timeout)),
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries)],
        )

    @property
    def name(self) -> str:
        return self._name

    def send(self, notification: Notification) -> None:
        message = slack_message(notification)
        ref = self._messages.get(notification.story_id)
        if ref is not None:
            try:
                self._call("chat_update", channel=ref.channel, ts=ref.ts, **message)
            except SlackCallError as exc:
                if exc.code != "message_not_found":
                    raise
                ref = None  # deleted in Slack: the story starts a new message
        if ref is None:
            data = self._call("chat_postMessage", channel=self._channel, **message)
            channel, ts = data.get("channel"), data.get("ts")
            if not isinstance(channel, str) or not isinstance(ts, str):
                raise DeliveryError(
                    f"{self._name}: chat.postMessage answered without channel and ts",
                    receiver=self._name,
                    retriable=False,
                )
            self._messages.remember(notification.story_id, MessageRef(channel=channel, ts=ts))
            return
        if notification.kind == "update":
            self._call(
                "chat_postMessage",
                channel=ref.channel,
                thread_ts=ref.ts,
                text=thread_reply(notification),
            )

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        api = method.replace("_", ".", 1)
        try:
            response = getattr(self._client, method)(**kwargs)
        except SlackApiError as exc:
            status = exc.response.status_code
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            error = str(data.get("error", "unknown_error"))
            retry_after = exc.response.headers.get("Retry-After") if status == 429 else None
            raise SlackCallError(
                f"{self._name}: {api} failed: HTTP {status}, {error}",
                code=error,
                receiver=self._name,
                retriable=status == 429 or status >= 500 or error in _RETRIABLE_ERRORS,
                retry_after=float(retry_after) if retry_after else None,
                gone=error in _GONE_ERRORS,
            ) from exc
        except (SlackClientError, OSError) as exc:  # timeouts and refused connections
            raise DeliveryError(
                f"{self._name}: {api} failed: {type(exc).__name__}: {exc}",
                receiver=self._name,
                retriable=True,
            ) from exc
        data = response.data
        return data if isinstance(data, dict) else {}

    def close(self) -> None:
        pass


__all__ = ["SlackBotReceiver", "SlackCallError", "thread_reply"]
