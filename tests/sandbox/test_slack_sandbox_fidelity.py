"""The Slack sandbox answers as Slack does where our own assumptions used to stand in: the recorded answers of
tests/sandbox/recorded/slack/ (chat.update and blocks, Block Kit limits, triggers, archived and left channels)."""

from __future__ import annotations

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import DEMO_TOKEN
from tests.sandbox.helpers import recorded, section

PROCUREMENT = "C0PROCURE"
BUTTONS = {
    "type": "actions",
    "block_id": "decide",
    "elements": [
        {"type": "button", "action_id": "approve", "text": {"type": "plain_text", "text": "Approve"}, "value": "7:AP"}
    ],
}


@pytest.fixture
def sandbox(served):
    served.reset()
    yield served
    served.change_channel(PROCUREMENT, is_archived=False, is_member=True)


@pytest.fixture
def client(sandbox):
    # Raw dict blocks: slack_sdk's model classes would refuse oversized text before Slack could.
    return WebClient(token=DEMO_TOKEN, base_url=sandbox.api_url)


def refusal(call) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value.response.data


def test_an_update_with_text_only_keeps_the_blocks_and_an_empty_list_removes_them(client, sandbox):
    posted = client.chat_postMessage(channel=PROCUREMENT, text="Invoice 7", blocks=[section("Invoice 7"), BUTTONS])
    client.chat_update(channel=PROCUREMENT, ts=posted["ts"], text="Replaced by revision 2")
    kept = sandbox.message(PROCUREMENT, posted["ts"])
    assert kept["text"] == "Replaced by revision 2" and kept["blocks"][1]["elements"][0]["value"] == "7:AP"
    client.chat_update(channel=PROCUREMENT, ts=posted["ts"], text="Replaced by revision 2", blocks=[])
    assert "blocks" not in sandbox.message(PROCUREMENT, posted["ts"])


def test_a_section_over_3000_characters_is_refused_with_invalid_blocks_as_recorded(client):
    answer = refusal(lambda: client.chat_postMessage(channel=PROCUREMENT, text="x", blocks=[section("x" * 3001)]))
    assert answer == recorded("chat_invalid_blocks_section_text_too_long.json")
    assert client.chat_postMessage(channel=PROCUREMENT, text="x", blocks=[section("x" * 3000)])["ok"]


@pytest.mark.parametrize(
    "blocks, complaint",
    [
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
            "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
        ),
        (
            [
                section("a"),
                {**BUTTONS, "elements": [{**BUTTONS["elements"][0], "text": {"type": "plain_text", "text": "b" * 76}}]},
            ],
            "must be less than 76 characters [json-pointer:/blocks/1/elements/0/text/text]",
        ),
        (
            [
                section("a"),
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": f"b{i}", "text": {"type": "plain_text", "text": "b"}}
                        for i in range(26)
                    ],
                },
            ],
            "no more than 25 items allowed [json-pointer:/blocks/1/elements]",
        ),
        ([{"type": "divider"}] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
    ],
    ids=["header", "field", "fields", "button", "elements", "blocks"],
)
def test_blocks_over_block_kit_limits_are_refused_in_slacks_shape(client, blocks, complaint):
    answer = refusal(lambda: client.chat_postMessage(channel=PROCUREMENT, text="x", blocks=blocks))
    assert answer == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": [complaint],
        "response_metadata": {"messages": [f"[ERROR] {complaint}"]},
    }
    if complaint.endswith("[json-pointer:/blocks/1/elements]"):
        assert {k: answer[k] for k in ("ok", "error", "errors")} == recorded(
            "chat_invalid_blocks_too_many_elements.json"
        )


def test_an_update_refuses_oversized_blocks_and_text_over_4000_characters(client, sandbox):
    posted = client.chat_postMessage(channel=PROCUREMENT, text="Invoice 7", blocks=[section("Invoice 7")])
    assert (
        refusal(
            lambda: client.chat_update(channel=PROCUREMENT, ts=posted["ts"], text="x", blocks=[section("x" * 3001)])
        )["error"]
        == "invalid_blocks"
    )
    assert refusal(lambda: client.chat_update(channel=PROCUREMENT, ts=posted["ts"], text="x" * 4001)) == recorded(
        "chat_update_msg_too_long.json"
    )
    assert sandbox.message(PROCUREMENT, posted["ts"])["text"] == "Invoice 7"


def test_a_modal_holds_100_blocks_and_not_101(client, sandbox):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Reject invoice"}}
    assert refusal(
        lambda: client.views_open(
            trigger_id=sandbox.issue_trigger_id("U0BUYER1"), view={**view, "blocks": [{"type": "divider"}] * 101}
        )
    )["errors"] == ["no more than 100 items allowed [json-pointer:/blocks]"]
    assert client.views_open(
        trigger_id=sandbox.issue_trigger_id("U0BUYER1"), view={**view, "blocks": [{"type": "divider"}] * 100}
    )["ok"]


def test_a_trigger_is_refused_as_exchanged_when_reused_and_as_expired_3_seconds_after_its_click(client, sandbox):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Reject invoice"}, "blocks": [section("Why?")]}
    fresh = sandbox.issue_trigger_id("U0BUYER1", age=2.9)
    assert client.views_open(trigger_id=fresh, view=view)["ok"]
    assert refusal(lambda: client.views_open(trigger_id=fresh, view=view)) == recorded(
        "views_open_exchanged_trigger_id.json"
    )
    late = sandbox.issue_trigger_id("U0BUYER1", age=3.1)
    assert refusal(lambda: client.views_open(trigger_id=late, view=view)) == recorded(
        "views_open_expired_trigger_id.json"
    )
    assert refusal(lambda: client.views_open(trigger_id="1234", view=view)) == recorded(
        "views_open_invalid_trigger_id.json"
    )


def test_an_archived_channel_or_one_the_bot_left_refuses_posts_and_replies_as_recorded(client, sandbox):
    posted = client.chat_postMessage(channel=PROCUREMENT, text="Invoice 7")
    for change, name in (
        ({"is_archived": True}, "chat_postMessage_is_archived.json"),
        ({"is_member": False}, "chat_postMessage_not_in_channel.json"),
    ):
        sandbox.change_channel(PROCUREMENT, **{"is_archived": False, "is_member": True, **change})
        assert refusal(lambda: client.chat_postMessage(channel=PROCUREMENT, text="x")) == recorded(name)
        assert refusal(lambda: client.chat_postMessage(channel=PROCUREMENT, text="x", thread_ts=posted["ts"])) == (
            recorded(name)
        )
    assert client.conversations_info(channel=PROCUREMENT)["channel"]["is_member"] is False
    sandbox.change_channel(PROCUREMENT, is_archived=False, is_member=True)
    assert client.chat_postMessage(channel=PROCUREMENT, text="x")["ok"]


def test_the_control_api_archives_a_channel_and_removes_the_bot(client, sandbox):
    answer = requests.post(f"{sandbox.base_url}/_sandbox/channels/{PROCUREMENT}", json={"is_archived": True}, timeout=5)
    assert answer.json()["is_archived"] is True
    assert refusal(lambda: client.chat_postMessage(channel=PROCUREMENT, text="x"))["error"] == "is_archived"
    assert requests.post(f"{sandbox.base_url}/_sandbox/channels/C0NONE", json={}, timeout=5).status_code == 404
    assert (
        requests.post(f"{sandbox.base_url}/_sandbox/channels/{PROCUREMENT}", json={"topic": "x"}, timeout=5).status_code
        == 400
    )
