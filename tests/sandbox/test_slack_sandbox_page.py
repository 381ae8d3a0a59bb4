"""The Slack sandbox's page, driven as a browser would, acting as workspace users towards a stand-in app."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import parse_qs

import pytest
import requests
from flask import Flask, jsonify, request
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View
from slack_sdk.signature import SignatureVerifier

from sandbox.slack import DEMO_TOKEN, SlackSandbox, serve_in_thread

SECRET = "page-test-signing-secret"
PROCUREMENT = "C0PROCURE"


class Forms(HTMLParser):
    """The page's forms as a browser sees them: action, hidden and named fields, and submit buttons."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}, "buttons": []})
        elif tag in ("input", "textarea") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"].append(attrs)

    def posting_to(self, action: str) -> list[dict]:
        return [f for f in self.forms if f["action"] == action]


def stand_in_app(received: list, api_url: str) -> Flask:
    """The app's Request URL: verifies Slack's signature, records, opens a modal on Reject, refuses short reasons."""
    app = Flask("stand-in")
    verifier = SignatureVerifier(SECRET)

    @app.post("/slack/events")
    def events():
        body = request.get_data()
        if not verifier.is_valid_request(body, dict(request.headers)):
            return "invalid signature", 401
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        payload = json.loads(form["payload"]) if "payload" in form else form
        received.append(payload)
        client = WebClient(token=DEMO_TOKEN, base_url=api_url)
        if payload.get("type") == "block_actions" and payload["actions"][0]["action_id"] == "approve":
            client.chat_update(
                channel=payload["channel"]["id"],
                ts=payload["container"]["message_ts"],
                text=f"*FE-1* approved by <@{payload['user']['id']}>",
                blocks=[],
            )
        if payload.get("type") == "block_actions" and payload["actions"][0]["action_id"] == "reject":
            view = View(
                type="modal",
                callback_id="reason",
                title="Reject invoice",
                submit="Reject",
                blocks=[
                    InputBlock(
                        block_id="reason",
                        label="Reason",
                        element=PlainTextInputElement(action_id="reason_input", multiline=True),
                    )
                ],
            )
            client.views_open(trigger_id=payload["trigger_id"], view=view)
        if payload.get("type") == "view_submission":
            reason = payload["view"]["state"]["values"]["reason"]["reason_input"]["value"]
            if len(reason.strip()) < 3:
                return jsonify(response_action="errors", errors={"reason": "Please say why <really>."})
        if payload.get("command"):
            return jsonify(text=f"Status of {payload['text'].split()[-1]}: Approved", response_type="ephemeral")
        return ""

    return app


@pytest.fixture
def world():
    received: list = []
    holder: dict = {}
    app_url, stop_app = serve_in_thread(_lazy(holder))
    with SlackSandbox(app_url=f"{app_url}/slack/events", signing_secret=SECRET) as sandbox:
        holder["app"] = stand_in_app(received, sandbox.api_url)
        yield sandbox, received
    stop_app()


def _lazy(holder: dict):
    """A WSGI app resolved per request, since the stand-in needs the sandbox's URL that is served after it."""
    return lambda environ, start_response: holder["app"](environ, start_response)


def post_card(sandbox: SlackSandbox) -> str:
    blocks = [
        SectionBlock(block_id="summary", text="*FE-1* <b>from</b> <https://example.com/doc|the document> <@U0BUYER1>"),
        ContextBlock(elements=[MarkdownTextObject(text="Waiting for Procurement")]),
        ActionsBlock(
            block_id="decide",
            elements=[
                ButtonElement(text="Approve", action_id="approve", value="1:AP", style="primary"),
                ButtonElement(text="Reject", action_id="reject", value="1:AP", style="danger"),
                ButtonElement(
                    text="Send to External System",
                    action_id="send",
                    value="1:A",
                    style="primary",
                    confirm=ConfirmObject(
                        title="Send FE-1?",
                        text="Bill *100482-FE-1* for <b>USD</b> 10.00",
                        confirm="Send",
                        deny="Not yet",
                    ),
                ),
            ],
        ),
    ]
    answer = WebClient(token=DEMO_TOKEN, base_url=sandbox.api_url).chat_postMessage(
        channel=PROCUREMENT, text="Invoice FE-1", blocks=blocks
    )
    return answer["ts"]


def page(sandbox: SlackSandbox, user: str) -> str:
    answer = requests.get(f"{sandbox.base_url}/", params={"as": user}, timeout=5)
    assert answer.status_code == 200
    return answer.text


def press(sandbox: SlackSandbox, form: dict, button: dict | None = None, **typed: str) -> requests.Response:
    data = {**form["fields"], **typed}
    if button and button.get("name"):
        data[button["name"]] = button["value"]
    return requests.post(f"{sandbox.base_url}{form['action']}", data=data, timeout=10, allow_redirects=False)


def click(sandbox: SlackSandbox, user: str, label_action: str) -> requests.Response:
    form = Forms(page(sandbox, user)).posting_to("/_sandbox/click")[0]
    button = next(b for b in form["buttons"] if b.get("value") == label_action)
    return press(sandbox, form, button)


def test_a_click_on_a_rendered_card_button_sends_a_signed_block_actions_as_the_acting_user(world):
    sandbox, received = world
    ts = post_card(sandbox)
    shown = page(sandbox, "U0ACCT1")
    assert "&lt;b&gt;from&lt;/b&gt;" in shown
    assert (
        '<b>FE-1</b> &lt;b&gt;from&lt;/b&gt; <a href="https://example.com/doc" target="_blank" '
        'rel="noopener noreferrer">the document</a> <span class="mention" data-user-id="U0BUYER1">@Paula Buyer</span>'
        in shown
    )
    answer = click(sandbox, "U0ACCT1", "approve")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/?as=U0ACCT1")
    [payload] = received
    assert payload["type"] == "block_actions" and payload["user"]["id"] == "U0ACCT1"
    assert payload["actions"][0]["action_id"] == "approve" and payload["container"]["message_ts"] == ts
    assert "click approve: HTTP 200" in page(sandbox, "U0ACCT1")


def test_a_modal_form_submission_sends_the_typed_reason_and_shows_the_apps_errors(world):
    sandbox, received = world
    post_card(sandbox)
    click(sandbox, "U0BUYER1", "reject")
    assert "Reject invoice" not in page(sandbox, "U0BUYER2")
    [modal] = Forms(page(sandbox, "U0BUYER1")).posting_to("/_sandbox/submit")
    press(sandbox, modal, **{"input:reason": "no"})
    shown = page(sandbox, "U0BUYER1")
    assert "Please say why &lt;really&gt;." in shown
    [modal] = Forms(shown).posting_to("/_sandbox/submit")
    press(sandbox, modal, **{"input:reason": "Wrong stems"})
    submissions = [p for p in received if p["type"] == "view_submission"]
    typed = [s["view"]["state"]["values"]["reason"]["reason_input"]["value"] for s in submissions]
    assert typed == ["no", "Wrong stems"]
    assert all(s["user"]["id"] == "U0BUYER1" for s in submissions)
    assert Forms(page(sandbox, "U0BUYER1")).posting_to("/_sandbox/submit") == []


def test_a_slash_command_form_sends_the_signed_command_and_shows_the_answer_to_its_user(world):
    sandbox, received = world
    [form] = Forms(page(sandbox, "U0AP1")).posting_to("/_sandbox/command")
    press(sandbox, form, command="/invoice status FE-20931", channel=PROCUREMENT)
    [command] = received
    assert (command["command"], command["text"], command["user_id"]) == ("/invoice", "status FE-20931", "U0AP1")
    assert "Status of FE-20931: Approved" in page(sandbox, "U0AP1")
    assert "Status of FE-20931" not in page(sandbox, "U0BUYER1")


def test_without_an_app_url_the_page_has_no_clickable_buttons():
    with SlackSandbox() as sandbox:
        post_card(sandbox)
        shown = page(sandbox, "U0BUYER1")
        assert "Approve" in shown and "Read-only" in shown
        assert Forms(shown).posting_to("/_sandbox/click") == [] and 'name="action_id"' not in shown
        refused = requests.post(
            f"{sandbox.base_url}/_sandbox/click",
            timeout=5,
            data={"channel": PROCUREMENT, "ts": "1.0", "action_id": "approve", "user": "U0BUYER1"},
        )
        assert refused.status_code == 404


def regions(sandbox: SlackSandbox, user: str) -> dict:
    answer = requests.get(f"{sandbox.base_url}/_sandbox/page/regions", params={"as": user}, timeout=5)
    return answer.json()["regions"]


def test_a_button_with_a_confirm_object_asks_first_and_sends_the_click_only_when_confirmed(world):
    sandbox, received = world
    post_card(sandbox)
    click(sandbox, "U0AP1", "send")
    dialog = regions(sandbox, "U0AP1")["overlay"]
    assert 'id="confirm-dialog"' in dialog and "<h3>Send FE-1?</h3>" in dialog
    assert "Bill <b>100482-FE-1</b> for &lt;b&gt;USD&lt;/b&gt; 10.00" in dialog
    assert ">Not yet</button>" in dialog and ">Send</button>" in dialog and received == []
    assert regions(sandbox, "U0BUYER1")["overlay"] == ""
    [deny] = Forms(dialog).posting_to("/_sandbox/confirm/deny")
    press(sandbox, deny)
    assert regions(sandbox, "U0AP1")["overlay"] == "" and received == []
    click(sandbox, "U0AP1", "send")
    [confirm] = Forms(regions(sandbox, "U0AP1")["overlay"]).posting_to("/_sandbox/click")
    press(sandbox, confirm, confirm["buttons"][0])
    [payload] = received
    assert payload["actions"][0]["action_id"] == "send" and payload["user"]["id"] == "U0AP1"
    assert regions(sandbox, "U0AP1")["overlay"] == ""


def test_after_a_click_posted_by_the_pages_script_the_card_changes_in_the_regions_without_a_reload(world):
    sandbox, received = world
    ts = post_card(sandbox)
    form = Forms(page(sandbox, "U0ACCT1")).posting_to("/_sandbox/click")[0]
    answer = requests.post(
        f"{sandbox.base_url}/_sandbox/click",
        timeout=10,
        allow_redirects=False,
        data={**form["fields"], "action_id": "approve"},
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 204 and "Location" not in answer.headers
    channels = regions(sandbox, "U0ACCT1")["channels"]
    card = channels[channels.index(f'data-ts="{ts}"') :]
    assert 'approved by <span class="mention" data-user-id="U0ACCT1">@Ana Accounting</span>' in card
    assert ">(edited)</span>" in card and 'data-action-id="approve"' not in card


def test_a_modal_refused_by_the_app_keeps_what_was_typed(world):
    sandbox, _ = world
    post_card(sandbox)
    click(sandbox, "U0BUYER1", "reject")
    [modal] = Forms(page(sandbox, "U0BUYER1")).posting_to("/_sandbox/submit")
    press(sandbox, modal, **{"input:reason": "<>"})
    overlay = regions(sandbox, "U0BUYER1")["overlay"]
    assert ">&lt;&gt;</textarea>" in overlay and "Please say why &lt;really&gt;." in overlay


def test_an_unknown_command_is_not_sent_to_the_app(world):
    sandbox, received = world
    [form] = Forms(page(sandbox, "U0AP1")).posting_to("/_sandbox/command")
    press(sandbox, form, command="/invoices status FE-1", channel=PROCUREMENT)
    assert received == []
    assert "/invoices is not a valid command." in regions(sandbox, "U0AP1")["channels"]


def test_cancel_closes_a_modal_without_sending_a_submission(world):
    sandbox, received = world
    post_card(sandbox)
    click(sandbox, "U0BUYER1", "reject")
    [modal] = Forms(page(sandbox, "U0BUYER1")).posting_to("/_sandbox/submit")
    cancel = next(b for b in modal["buttons"] if b.get("formaction") == "/_sandbox/dismiss")
    assert "formnovalidate" in cancel
    requests.post(f"{sandbox.base_url}/_sandbox/dismiss", data=modal["fields"], timeout=5)
    assert regions(sandbox, "U0BUYER1")["overlay"] == ""
    assert [p["type"] for p in received] == ["block_actions"]


def test_a_button_on_an_ephemeral_sends_a_click_from_an_ephemeral_container(world):
    sandbox, received = world
    blocks = [ActionsBlock(elements=[ButtonElement(text="Show", action_id="show", value="7")])]
    WebClient(token=DEMO_TOKEN, base_url=sandbox.api_url).chat_postEphemeral(
        channel=PROCUREMENT, user="U0AP1", text="Only for you", blocks=blocks
    )
    click(sandbox, "U0AP1", "show")
    [payload] = received
    assert payload["container"]["is_ephemeral"] is True and payload["actions"][0]["action_id"] == "show"
