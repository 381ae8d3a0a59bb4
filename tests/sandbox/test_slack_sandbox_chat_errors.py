"""The Slack sandbox is no kinder than Slack on threads, ephemerals and a message's total block text: a malformed
thread_ts is refused and a reply to no message is accepted but seen nowhere, chat.postEphemeral refuses archived
channels, channels without the bot and recipients outside the channel, and blocks whose text together is over
12,000 characters are refused with msg_blocks_too_long (tests/sandbox/recorded/slack/)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import DEMO_TOKEN
from sandbox.slack.blocks import MESSAGE_BLOCK_TEXT, text_length
from tests.sandbox.helpers import recorded, section

PROCUREMENT = "C0PROCURE"


@pytest.fixture
def sandbox(served):
    served.reset()
    yield served
    served.change_channel(PROCUREMENT, is_archived=False, is_member=True, members=None)


@pytest.fixture
def client(sandbox):
    # Raw dict blocks: slack_sdk's model classes would refuse oversized text before Slack could.
    return WebClient(token=DEMO_TOKEN, base_url=sandbox.api_url)


def refusal(call) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value.response.data


def blocks_of(total: int) -> list[dict]:
    """Sections, fields, a context and a button whose texts hold `total` characters together."""
    button = {
        "type": "actions",
        "elements": [{"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "Approve"}}],
    }
    fixed = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2000}] * 2},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c" * 1000}]},
        button,
    ]
    rest = total - text_length(fixed)
    sections = [section("s" * min(3000, rest - 3000 * i)) for i in range(-(-rest // 3000))]
    blocks = fixed + sections
    assert text_length(blocks) == total
    return blocks


def test_a_malformed_thread_ts_is_refused_as_recorded(client):
    assert refusal(lambda: client.chat_postMessage(channel=PROCUREMENT, text="x", thread_ts="0")) == recorded(
        "chat_postMessage_invalid_thread_ts.json"
    )
    assert refusal(lambda: client.chat_postMessage(channel=PROCUREMENT, text="x", thread_ts=""))["error"] == (
        "invalid_thread_ts"
    )


def test_a_reply_to_no_message_is_accepted_and_shown_nowhere(client, sandbox):
    card = client.chat_postMessage(channel=PROCUREMENT, text="Invoice 7")
    orphan = client.chat_postMessage(channel=PROCUREMENT, text="Approved", thread_ts="1600000000.000100")
    assert orphan["ok"] and orphan["message"]["thread_ts"] == "1600000000.000100"
    assert sandbox.message(PROCUREMENT, orphan["ts"])["text"] == "Approved"  # stored, but:
    assert [m["ts"] for m in sandbox.messages(PROCUREMENT)] == [card["ts"]]  # not in the channel
    assert sandbox.thread(PROCUREMENT, card["ts"]) == []  # nor in any visible thread
    assert "reply_count" not in sandbox.message(PROCUREMENT, card["ts"])
    # conversations.replies keeps its documented thread_not_found for a ts that names no message.
    assert refusal(lambda: client.conversations_replies(channel=PROCUREMENT, ts="1600000000.000100"))["error"] == (
        "thread_not_found"
    )


def test_a_reply_to_a_reply_lands_in_its_parents_thread(client, sandbox):
    card = client.chat_postMessage(channel=PROCUREMENT, text="Invoice 7")
    first = client.chat_postMessage(channel=PROCUREMENT, text="one", thread_ts=card["ts"])
    client.chat_postMessage(channel=PROCUREMENT, text="two", thread_ts=first["ts"])
    assert [m["text"] for m in sandbox.thread(PROCUREMENT, card["ts"])] == ["one", "two"]


def test_an_ephemeral_for_someone_outside_the_channel_is_refused_as_recorded(client, sandbox):
    sandbox.change_channel(PROCUREMENT, members=["U0BUYER1"])
    assert client.chat_postEphemeral(channel=PROCUREMENT, user="U0BUYER1", text="yours")["ok"]
    assert refusal(lambda: client.chat_postEphemeral(channel=PROCUREMENT, user="U0OUTSIDE", text="x")) == recorded(
        "chat_postEphemeral_user_not_in_channel.json"
    )
    assert [e["user"] for e in sandbox.ephemerals()] == ["U0BUYER1"]


@pytest.mark.parametrize(
    "change, code", [({"is_archived": True}, "is_archived"), ({"is_member": False}, "not_in_channel")]
)
def test_an_ephemeral_in_an_archived_channel_or_one_the_bot_left_is_refused(client, sandbox, change, code):
    sandbox.change_channel(PROCUREMENT, **change)
    answer = refusal(lambda: client.chat_postEphemeral(channel=PROCUREMENT, user="U0BUYER1", text="x"))
    assert answer == {"ok": False, "error": code} and sandbox.ephemerals() == []


def test_an_ephemeral_in_a_direct_message_reaches_only_its_user(client):
    assert client.chat_postEphemeral(channel="D0BUYER1", user="U0BUYER1", text="x")["ok"]
    assert refusal(lambda: client.chat_postEphemeral(channel="D0BUYER1", user="U0ACCT1", text="x"))["error"] == (
        "user_not_in_channel"
    )


def test_blocks_with_12000_characters_of_text_are_posted_and_12001_refused_as_recorded(client, sandbox):
    assert client.chat_postMessage(channel=PROCUREMENT, text="x", blocks=blocks_of(MESSAGE_BLOCK_TEXT))["ok"]
    answer = refusal(lambda: client.chat_postMessage(channel=PROCUREMENT, text="x", blocks=blocks_of(12001)))
    assert answer == recorded("chat_msg_blocks_too_long.json")
    assert len(sandbox.messages(PROCUREMENT)) == 1


def test_an_update_to_blocks_over_12000_characters_is_refused_and_keeps_the_message(client, sandbox):
    posted = client.chat_postMessage(channel=PROCUREMENT, text="x", blocks=[section("Invoice 7")])
    answer = refusal(
        lambda: client.chat_update(channel=PROCUREMENT, ts=posted["ts"], text="x", blocks=blocks_of(12001))
    )
    assert answer["error"] == "msg_blocks_too_long"
    assert sandbox.message(PROCUREMENT, posted["ts"])["blocks"][0]["text"]["text"] == "Invoice 7"
    assert client.chat_update(channel=PROCUREMENT, ts=posted["ts"], text="x", blocks=blocks_of(12000))["ok"]


def test_the_text_of_a_buttons_confirm_dialog_and_of_rich_text_counts_too():
    confirm = {
        "title": {"type": "plain_text", "text": "Sure?"},
        "text": {"type": "mrkdwn", "text": "Send Bill 1?"},
        "confirm": {"type": "plain_text", "text": "Send"},
        "deny": {"type": "plain_text", "text": "No"},
    }
    button = {"type": "button", "text": {"type": "plain_text", "text": "Send"}, "value": "v" * 100, "confirm": confirm}
    rich = {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "ab"}]}],
    }
    assert text_length([{"type": "actions", "elements": [button]}, rich]) == 4 + 5 + 12 + 4 + 2 + 2
