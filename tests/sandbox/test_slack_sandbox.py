"""The Slack sandbox, driven by the real slack_sdk WebClient, and the requests it signs as Slack."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from urllib.parse import parse_qs

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View
from slack_sdk.signature import SignatureVerifier

from sandbox.slack import DEMO_TOKEN, ButtonNotFound, SlackRequests, SlackSandbox

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PROCUREMENT = "C0PROCURE"


@pytest.fixture
def sandbox(served):
    served.reset()
    return served


@pytest.fixture
def client(sandbox):
    return WebClient(token=DEMO_TOKEN, base_url=sandbox.api_url)


@pytest.fixture
def slack(sandbox):
    return SlackRequests(SECRET, sandbox)


def card(invoice_id: str = "42") -> list:
    return [
        SectionBlock(block_id="summary", text=f"*Invoice {invoice_id}* from Flores de la Sabana"),
        ActionsBlock(
            block_id="decide",
            elements=[
                ButtonElement(text="Approve", action_id="approve", value=invoice_id, style="primary"),
                ButtonElement(text="Reject", action_id="reject", value=invoice_id, style="danger"),
            ],
        ),
    ]


def reason_modal() -> View:
    return View(
        type="modal",
        callback_id="reject_reason",
        private_metadata='{"invoice": 42}',
        title="Reject invoice",
        submit="Reject",
        blocks=[InputBlock(block_id="reason", label="Reason", element=PlainTextInputElement(action_id="reason_input"))],
    )


def test_auth_test_answers_with_the_bot_identity(client):
    answer = client.auth_test()
    assert answer["user_id"] == "U0INVBOT" and answer["team_id"] == "T0SANDBOX"


def test_missing_token_is_not_authed_and_unknown_token_is_invalid_auth(sandbox):
    for token, error in ((None, "not_authed"), ("xoxb-wrong", "invalid_auth")):
        with pytest.raises(SlackApiError) as raised:
            WebClient(token=token, base_url=sandbox.api_url).chat_postMessage(channel=PROCUREMENT, text="hi")
        assert raised.value.response.status_code == 200 and raised.value.response["error"] == error
    assert sandbox.messages(PROCUREMENT) == []


def test_blocks_built_with_slack_sdk_round_trip(client, sandbox):
    answer = client.chat_postMessage(channel=PROCUREMENT, text="Invoice 42", blocks=card())
    assert answer["ok"] and answer["channel"] == PROCUREMENT and answer["message"]["ts"] == answer["ts"]
    recorded = sandbox.last_message(PROCUREMENT)
    assert recorded["blocks"] == [block.to_dict() for block in card()]
    assert recorded["ts"] == answer["ts"] and recorded["user"] == "U0INVBOT"


def test_blocks_sent_as_a_json_string_in_form_data_are_accepted(sandbox):
    blocks = json.dumps([{"type": "section", "text": {"type": "mrkdwn", "text": "form"}}])
    answer = requests.post(
        sandbox.api_url + "chat.postMessage",
        data={"channel": "#procurement", "blocks": blocks},
        headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
        timeout=5,
    ).json()
    assert answer["ok"] and sandbox.messages(PROCUREMENT)[0]["blocks"][0]["text"]["text"] == "form"
    assert sandbox.messages(PROCUREMENT)[0]["blocks"][0]["block_id"]


def test_a_message_needs_text_or_blocks_and_a_known_channel(client):
    with pytest.warns(UserWarning), pytest.raises(SlackApiError, match="no_text"):
        client.chat_postMessage(channel=PROCUREMENT)
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel=PROCUREMENT, text="x", blocks=[{"text": "no type"}])
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client.chat_postMessage(channel="C0NOWHERE", text="hi")


def test_ts_values_are_unique_and_increasing(client):
    stamps = [client.chat_postMessage(channel=PROCUREMENT, text=str(i))["ts"] for i in range(20)]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 20


def test_update_replaces_blocks_and_keeps_history(client, sandbox):
    posted = client.chat_postMessage(channel=PROCUREMENT, text="Invoice 42", blocks=card())
    answer = client.chat_update(channel=PROCUREMENT, ts=posted["ts"], text="Approved", blocks=card()[:1])
    assert answer["ts"] == posted["ts"] and answer["message"]["blocks"] == [card()[0].to_dict()]
    recorded = sandbox.message(PROCUREMENT, posted["ts"])
    assert recorded["text"] == "Approved" and len(recorded["blocks"]) == 1
    assert recorded["history"][0]["blocks"] == [block.to_dict() for block in card()]
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_update(channel=PROCUREMENT, ts="1.000001", text="x")


def test_thread_replies_are_readable_through_the_api_and_the_sandbox(client, sandbox):
    parent = client.chat_postMessage(channel=PROCUREMENT, text="Invoice 42")["ts"]
    client.chat_postMessage(channel=PROCUREMENT, thread_ts=parent, text="Approved by <@U0BUYER1>")
    client.chat_postMessage(channel=PROCUREMENT, thread_ts=parent, text="Sent to QBO")
    assert [m["text"] for m in sandbox.thread(PROCUREMENT, parent)] == ["Approved by <@U0BUYER1>", "Sent to QBO"]
    replies = client.conversations_replies(channel=PROCUREMENT, ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["Invoice 42", "Approved by <@U0BUYER1>", "Sent to QBO"]
    assert replies[0]["reply_count"] == 2 and len(sandbox.messages(PROCUREMENT)) == 1


def test_metadata_and_permalink(client, sandbox):
    metadata = {"event_type": "invoice_card", "event_payload": {"invoice_id": 42}}
    ts = client.chat_postMessage(channel=PROCUREMENT, text="card", metadata=metadata)["ts"]
    assert sandbox.message(PROCUREMENT, ts)["metadata"] == metadata
    link = client.chat_getPermalink(channel=PROCUREMENT, message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/{PROCUREMENT}/p{ts.replace('.', '')}")


def test_ephemerals_are_recorded_for_their_user(client, sandbox):
    client.chat_postEphemeral(channel=PROCUREMENT, user="U0OUTSIDE", text="You may not approve invoices")
    assert [e["text"] for e in sandbox.ephemerals(user="U0OUTSIDE")] == ["You may not approve invoices"]
    assert sandbox.ephemerals(user="U0BUYER1") == []
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.chat_postEphemeral(channel=PROCUREMENT, user="U0NOBODY", text="x")


def test_views_open_accepts_a_fresh_trigger_once(client, sandbox):
    trigger = sandbox.issue_trigger_id("U0BUYER1")
    view = client.views_open(trigger_id=trigger, view=reason_modal())["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "reject_reason"
    opened = sandbox.views()
    assert opened[0]["trigger_id"] == trigger and opened[0]["user"] == "U0BUYER1"
    assert opened[0]["view"]["private_metadata"] == '{"invoice": 42}'
    for refused, code in (
        (trigger, "exchanged_trigger_id"),
        ("123.456.unknown", "expired_trigger_id"),
        ("not-a-trigger", "invalid_trigger_id"),
    ):
        with pytest.raises(SlackApiError) as answer:
            client.views_open(trigger_id=refused, view=reason_modal())
        assert answer.value.response.data == {"ok": False, "error": code}


def test_views_open_refuses_a_trigger_older_than_its_lifetime():
    with SlackSandbox(trigger_ttl=0.05) as sandbox:
        trigger = sandbox.issue_trigger_id("U0BUYER1")
        time.sleep(0.1)
        with pytest.raises(SlackApiError, match="expired_trigger_id"):
            WebClient(token=DEMO_TOKEN, base_url=sandbox.api_url).views_open(trigger_id=trigger, view=reason_modal())
        assert sandbox.views() == []


def test_views_update_replaces_the_view(client, sandbox):
    view_id = client.views_open(trigger_id=sandbox.issue_trigger_id("U0BUYER1"), view=reason_modal())["view"]["id"]
    done = View(type="modal", title="Done", blocks=[SectionBlock(text="Rejected")])
    assert client.views_update(view_id=view_id, view=done)["view"]["title"]["text"] == "Done"
    assert sandbox.views()[0]["view"]["title"]["text"] == "Done" and len(sandbox.views()[0]["history"]) == 1


def test_workspace_lookups_and_their_errors(client):
    assert client.usergroups_users_list(usergroup="S0ACCOUNTING")["users"] == ["U0ACCT1", "U0ACCT2"]
    assert client.users_info(user="U0AP1")["user"]["id"] == "U0AP1"
    assert client.conversations_info(channel="C0ACCOUNT")["channel"]["name"] == "accounting"
    with pytest.raises(SlackApiError, match="no_such_subteam"):
        client.usergroups_users_list(usergroup="S0NOPE")
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.users_info(user="U0NOBODY")


def test_rate_limit_answers_429_with_retry_after_and_the_sdk_retries(sandbox):
    sandbox.fail_next("chat.postMessage", status=429, retry_after=1)
    plain = WebClient(token=DEMO_TOKEN, base_url=sandbox.api_url)
    with pytest.raises(SlackApiError) as raised:
        plain.chat_postMessage(channel=PROCUREMENT, text="first")
    assert raised.value.response.status_code == 429 and raised.value.response.headers["Retry-After"] == "1"
    sandbox.fail_next("chat.postMessage", status=429, retry_after=0)
    patient = WebClient(token=DEMO_TOKEN, base_url=sandbox.api_url, retry_handlers=[RateLimitErrorRetryHandler(1)])
    assert patient.chat_postMessage(channel=PROCUREMENT, text="second")["ok"]
    assert [c["status"] for c in sandbox.calls("chat.postMessage")] == [429, 429, 200]
    assert [m["text"] for m in sandbox.messages(PROCUREMENT)] == ["second"]


def test_a_scripted_error_answers_ok_false_for_the_next_calls_only(client, sandbox):
    sandbox.fail_next("chat.update", error="cant_update_message", count=1)
    ts = client.chat_postMessage(channel=PROCUREMENT, text="card")["ts"]
    with pytest.raises(SlackApiError, match="cant_update_message"):
        client.chat_update(channel=PROCUREMENT, ts=ts, text="x")
    assert client.chat_update(channel=PROCUREMENT, ts=ts, text="y")["ok"]


def test_the_control_api_configures_scripts_and_reads_recordings(sandbox):
    base = sandbox.base_url + "/_sandbox"
    requests.post(f"{base}/workspace", json={"tokens": ["xoxb-other"], "users": {"U9": {"name": "nine"}}}, timeout=5)
    other = WebClient(token="xoxb-other", base_url=sandbox.api_url)
    other.chat_postMessage(channel=PROCUREMENT, text="via other token")
    assert requests.get(f"{base}/messages/{PROCUREMENT}", timeout=5).json()[0]["text"] == "via other token"
    assert (
        requests.get(f"{base}/calls", params={"method": "chat.postMessage"}, timeout=5).json()[0]["token"]
        == "xoxb-other"
    )
    requests.post(f"{base}/faults", json={"method": "auth.test", "error": "account_inactive"}, timeout=5)
    with pytest.raises(SlackApiError, match="account_inactive"):
        other.auth_test()
    trigger = requests.post(f"{base}/triggers", json={"user": "U9"}, timeout=5).json()["trigger_id"]
    other.views_open(trigger_id=trigger, view=reason_modal())
    assert requests.get(f"{base}/views", timeout=5).json()[0]["user"] == "U9"
    requests.post(f"{base}/reset", timeout=5)
    assert requests.get(f"{base}/messages", timeout=5).json() == {}
    sandbox.configure(tokens=[DEMO_TOKEN], users={})


def test_signatures_verify_with_slack_sdk_and_can_be_made_bad_or_stale(slack):
    verifier = SignatureVerifier(SECRET)
    headers, body = slack.slash_command("/invoice help", user="U0BUYER1", channel=PROCUREMENT)
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(*reversed(slack.sign(body, bad_signature=True)))
    assert not verifier.is_valid_request(*reversed(slack.sign(body, stale=True)))


def test_block_actions_built_from_a_posted_message_carry_the_clicked_action(client, sandbox, slack):
    posted = client.chat_postMessage(channel=PROCUREMENT, text="Invoice 42", blocks=card())
    headers, body = slack.block_actions(sandbox.last_message(PROCUREMENT), "Approve", user="U0BUYER1")
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    assert payload["type"] == "block_actions" and payload["user"]["id"] == "U0BUYER1"
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": PROCUREMENT,
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": PROCUREMENT, "name": "procurement"}
    assert payload["message"]["ts"] == posted["ts"] and "history" not in payload["message"]
    action = payload["actions"][0]
    assert (action["action_id"], action["block_id"], action["value"]) == ("approve", "decide", "42")
    assert action["text"] == {"type": "plain_text", "text": "Approve", "emoji": True}
    assert client.views_open(trigger_id=payload["trigger_id"], view=reason_modal())["ok"]


def test_asking_for_a_missing_button_raises(client, sandbox, slack):
    client.chat_postMessage(channel=PROCUREMENT, text="Invoice 42", blocks=card())
    with pytest.raises(ButtonNotFound, match="Send to External System"):
        slack.block_actions(sandbox.last_message(PROCUREMENT), "Send to External System", user="U0AP1")


def test_view_submission_carries_the_typed_value(client, sandbox, slack):
    client.views_open(trigger_id=sandbox.issue_trigger_id("U0BUYER1"), view=reason_modal())
    headers, body = slack.view_submission(sandbox.views()[0], "Wrong stem count")
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    assert payload["type"] == "view_submission" and payload["user"]["id"] == "U0BUYER1"
    assert payload["view"]["callback_id"] == "reject_reason" and payload["view"]["id"] == sandbox.views()[0]["view_id"]
    assert payload["view"]["private_metadata"] == '{"invoice": 42}'
    assert payload["view"]["state"]["values"] == {
        "reason": {"reason_input": {"type": "plain_text_input", "value": "Wrong stem count"}}
    }
    by_action = slack.view_submission_payload(sandbox.views()[0], {"reason_input": "Late"})
    assert by_action["view"]["state"]["values"]["reason"]["reason_input"]["value"] == "Late"
    with pytest.raises(ValueError, match="required"):
        slack.view_submission(sandbox.views()[0])


def test_slash_commands_are_form_encoded_like_slack(slack):
    _, body = slack.slash_command("/invoice status 1234", user="U0BUYER2", channel="C0ACCOUNT")
    fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert (fields["command"], fields["text"], fields["user_id"]) == ("/invoice", "status 1234", "U0BUYER2")
    assert fields["channel_id"] == "C0ACCOUNT" and fields["team_id"] == "T0SANDBOX" and fields["trigger_id"]


def test_response_url_posts_become_ephemerals_or_replace_the_card(client, sandbox, slack):
    client.chat_postMessage(channel=PROCUREMENT, text="Invoice 42", blocks=card())
    payload = slack.block_actions_payload(sandbox.last_message(PROCUREMENT), "Reject", user="U0OUTSIDE")
    requests.post(payload["response_url"], json={"text": "Not allowed"}, timeout=5).raise_for_status()
    assert sandbox.ephemerals(user="U0OUTSIDE")[0]["text"] == "Not allowed"
    requests.post(payload["response_url"], json={"replace_original": True, "text": "Gone"}, timeout=5)
    assert sandbox.last_message(PROCUREMENT)["text"] == "Gone"


def test_a_bolt_app_accepts_the_built_requests(client, sandbox, slack):
    from flask import Flask, request
    from slack_bolt import App
    from slack_bolt.adapter.flask import SlackRequestHandler

    bolt = App(signing_secret=SECRET, client=client)
    clicks = []

    @bolt.action("approve")
    def approve(ack, body, action):
        ack()
        clicks.append((body["user"]["id"], action["value"]))

    web = Flask(__name__)
    handler = SlackRequestHandler(bolt)
    web.post("/slack/events")(lambda: handler.handle(request))
    client.chat_postMessage(channel=PROCUREMENT, text="Invoice 42", blocks=card())
    headers, body = slack.block_actions(sandbox.last_message(PROCUREMENT), "Approve", user="U0BUYER1")
    assert web.test_client().post("/slack/events", data=body, headers=headers).status_code == 200
    assert clicks == [("U0BUYER1", "42")]
    headers, body = slack.block_actions(sandbox.last_message(PROCUREMENT), "Approve", user="U0BUYER1", stale=True)
    assert web.test_client().post("/slack/events", data=body, headers=headers).status_code == 401


def test_the_demo_page_lists_recorded_messages(client, sandbox):
    client.chat_postMessage(channel=PROCUREMENT, text="Invoice 42", blocks=card())
    page = requests.get(sandbox.base_url + "/", timeout=5).text
    assert "#procurement" in page and "Approve" in page


def test_the_cli_serves_the_demo_workspace_and_prints_its_url():
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.slack", "--port", "0", "--token", "xoxb-cli"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("SLACK_API_URL=http://127.0.0.1:")
        cli = WebClient(token="xoxb-cli", base_url=line.split("=", 1)[1])
        assert cli.conversations_info(channel="C0PROCURE")["channel"]["name"] == "procurement"
        assert cli.usergroups_users_list(usergroup="S0ACCOUNTING")["users"] == ["U0ACCT1", "U0ACCT2"]
    finally:
        process.terminate()
        process.wait(timeout=5)
