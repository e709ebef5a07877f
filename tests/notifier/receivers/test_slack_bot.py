"""The slack_bot receiver against the loopback fake Slack Web API: one message per story,
edited on updates with a thread reply, hostile article text escaped, rate limits retried."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from policywatch.errors import DeliveryError
from policywatch.notifier.grouping import MessageRef
from policywatch.notifier.receivers.slack_bot import SlackBotReceiver, thread_reply
from policywatch.notifier.slack_api_fake import CHANNEL_ID, SlackApiFake
from policywatch.notifier.story_messages import StoryMessages

from ..helpers import make_alert, make_notification
from .test_slack import HOSTILE, _all_text

TOKEN = "xoxb-test-token"


@pytest.fixture
def slack() -> Iterator[SlackApiFake]:
    with SlackApiFake(TOKEN) as fake:
        yield fake


def _receiver(slack: SlackApiFake, messages: StoryMessages, token: str = TOKEN) -> SlackBotReceiver:
    return SlackBotReceiver("analysts", token, "#policy", messages, base_url=slack.base_url)


def test_first_notification_posts_and_updates_edit_it_with_a_thread_reply(
    slack: SlackApiFake,
) -> None:
    messages = StoryMessages()
    receiver = _receiver(slack, messages)
    receiver.send(make_notification(story="pws_a", sequence=1, sources=1))
    receiver.send(make_notification(story="pws_a", sequence=2, sources=3))
    post, update, reply = slack.calls
    assert (post.method, post.body["channel"], post.authorization) == (
        "chat.postMessage",
        "#policy",
        f"Bearer {TOKEN}",
    )
    ref = messages.get("pws_a")
    assert ref is not None and ref.channel == CHANNEL_ID
    assert (update.method, update.body["ts"], update.body["channel"]) == (
        "chat.update",
        ref.ts,
        CHANNEL_ID,
    )
    assert "3 articles" in " ".join(_all_text(update.body["blocks"]))
    assert (reply.method, reply.body["thread_ts"]) == ("chat.postMessage", ref.ts)
    assert reply.body["text"].startswith("Update 2: now 3 sources.")
    assert slack.messages[ref.ts]["text"] == update.body["text"]


def test_another_story_gets_its_own_message(slack: SlackApiFake) -> None:
    receiver = _receiver(slack, StoryMessages())
    receiver.send(make_notification(story="pws_a"))
    receiver.send(make_notification(story="pws_b"))
    assert [c.method for c in slack.calls] == ["chat.postMessage", "chat.postMessage"]
    assert all("thread_ts" not in c.body for c in slack.calls)


def test_article_text_cannot_mention_anyone_in_the_message_or_the_reply(
    slack: SlackApiFake,
) -> None:
    alert = make_alert(1, evidence=HOSTILE, title=HOSTILE, source=HOSTILE)
    receiver = _receiver(slack, StoryMessages())
    receiver.send(make_notification(alert, story="pws_h", sequence=1))
    receiver.send(make_notification(alert, story="pws_h", sequence=2))
    texts = [t for call in slack.calls for t in _all_text(call.body)]
    mention = re.compile(r"<[!@#]|@(channel|here|everyone)\b", re.IGNORECASE)
    assert not [t for t in texts if mention.search(t)]
    assert "&lt;!channel&gt;" in thread_reply(make_notification(alert, sequence=2))


def test_a_rate_limit_is_retried_after_retry_after(slack: SlackApiFake) -> None:
    slack.respond_with(429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"})
    receiver = _receiver(slack, StoryMessages())
    receiver.send(make_notification(story="pws_r"))
    assert [c.method for c in slack.calls] == ["chat.postMessage"]


def test_a_bad_token_is_a_gone_receiver_and_a_server_error_is_retriable(
    slack: SlackApiFake,
) -> None:
    with pytest.raises(DeliveryError) as err:
        _receiver(slack, StoryMessages(), token="xoxb-wrong").send(make_notification())
    assert err.value.gone and not err.value.retriable and "invalid_auth" in str(err.value)
    assert "xoxb-wrong" not in str(err.value)
    slack.respond_with(503)
    with pytest.raises(DeliveryError) as err:
        _receiver(slack, StoryMessages()).send(make_notification())
    assert err.value.retriable and "HTTP 503" in str(err.value)


def test_a_message_deleted_in_slack_is_posted_again(slack: SlackApiFake) -> None:
    messages = StoryMessages()
    messages.remember("pws_d", MessageRef(channel=CHANNEL_ID, ts="1600000000.000001"))
    receiver = _receiver(slack, messages)
    receiver.send(make_notification(story="pws_d", sequence=4, sources=4))
    (post,) = slack.calls
    assert post.method == "chat.postMessage" and "thread_ts" not in post.body
    ref = messages.get("pws_d")
    assert ref is not None and ref.ts in slack.messages
