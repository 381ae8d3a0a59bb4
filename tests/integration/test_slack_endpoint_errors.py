"""Requests Slack's endpoint cannot act on: each answered as Slack expects, in one log line, changing nothing."""

import json
import logging

import pytest
from sqlalchemy import func, select

from models import AuditEntry, Decision, Invoice
from sandbox.slack.signing import signed_headers
from tests.backends import BASE_SETTINGS
from tests.builders import card, run_jobs, uploaded
from tests.sandboxes import PROCUREMENT

LONG_USER = "U" + "A" * 70


def state(runtime) -> tuple:
    """Everything an action could change: invoices, decisions, audit entries."""
    with runtime.sessions() as session:
        return (
            session.execute(select(Invoice.id, Invoice.status, Invoice.version).order_by(Invoice.id)).all(),
            session.scalar(select(func.count()).select_from(Decision)),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def one_line(caplog) -> logging.LogRecord:
    """The one record logged at INFO or above, asserting it is at most a warning without a traceback."""
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert len(records) == 1, [(r.name, r.levelname, r.getMessage()) for r in records]
    [record] = records
    assert record.levelno <= logging.WARNING and record.exc_info is None and "Traceback" not in caplog.text
    return record


@pytest.fixture
def clicked(web, slack, slack_sandbox, slack_runtime):
    """An uploaded invoice's procurement card and a signed Approve click on it, as a payload to spoil."""
    uploaded(web)
    run_jobs(slack_runtime)
    return slack.block_actions_payload(card(slack_sandbox, PROCUREMENT), "Approve", user="U0BUYER1")


def answered(web, request):
    headers, body = request
    return web.post("/slack/events", data=body, headers=headers)


def said_to_buyer(slack_sandbox) -> str:
    """The one ephemeral the buyer got, through the click's response_url."""
    [said] = slack_sandbox.ephemerals(user="U0BUYER1")
    assert said["via"] == "response_url"
    return said["text"]


def spoilt(payload, **changes):
    payload = json.loads(json.dumps(payload))
    for path, value in changes.items():
        *parents, key = path.split("__")
        target = payload
        for parent in parents:
            target = target[int(parent)] if parent.isdigit() else target[parent]
        if value is None:
            del target[key]
        else:
            target[key] = value
    return payload


def test_a_button_for_an_invoice_that_does_not_exist_is_explained_and_changes_nothing(
    web, slack, slack_sandbox, slack_runtime, clicked, caplog
):
    before = state(slack_runtime)
    caplog.set_level(logging.INFO)
    caplog.clear()
    answer = answered(web, slack.interactivity(spoilt(clicked, actions__0__value="424242:AP:FE-20931")))
    assert answer.status_code == 200
    assert "no invoice with id 424242" in said_to_buyer(slack_sandbox)
    assert state(slack_runtime) == before
    assert "424242" in one_line(caplog).getMessage()


@pytest.mark.parametrize("value", ["", "abc", "7:ZZ:FE-1", "99999999999999999999:AP:FE-1", None])
def test_a_malformed_button_value_is_explained_and_changes_nothing(
    web, slack, slack_sandbox, slack_runtime, clicked, caplog, value
):
    before = state(slack_runtime)
    caplog.set_level(logging.INFO)
    caplog.clear()
    answer = answered(web, slack.interactivity(spoilt(clicked, actions__0__value=value)))
    assert answer.status_code == 200
    assert "not one of invoice-sync's card buttons" in said_to_buyer(slack_sandbox)
    assert state(slack_runtime) == before
    one_line(caplog)


@pytest.mark.parametrize("button", ["Approve", "Reject"])
def test_a_click_without_a_channel_is_explained_and_changes_nothing(
    web, slack, slack_sandbox, slack_runtime, caplog, button
):
    uploaded(web)
    run_jobs(slack_runtime)
    payload = slack.block_actions_payload(card(slack_sandbox, PROCUREMENT), button, user="U0BUYER1")
    before = state(slack_runtime)
    caplog.set_level(logging.INFO)
    caplog.clear()
    answer = answered(web, slack.interactivity(spoilt(payload, channel=None)))
    assert answer.status_code == 200
    assert "only on its card in a channel" in said_to_buyer(slack_sandbox)
    assert state(slack_runtime) == before and slack_sandbox.views() == []
    one_line(caplog)


def test_a_user_id_longer_than_the_audit_log_holds_is_explained_and_changes_nothing(
    web, slack, slack_sandbox, slack_runtime, clicked, caplog
):
    before = state(slack_runtime)
    caplog.set_level(logging.INFO)
    caplog.clear()
    answer = answered(web, slack.interactivity(spoilt(clicked, user__id=LONG_USER)))
    assert answer.status_code == 200
    assert "Slack sent a user id this app cannot record" in said_to_buyer(slack_sandbox)
    assert state(slack_runtime) == before
    one_line(caplog)


@pytest.fixture
def reason_form(web, slack, slack_sandbox, slack_runtime):
    """The reason modal a buyer opened with Reject, as a signed submission payload to spoil."""
    uploaded(web)
    run_jobs(slack_runtime)
    answered(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Reject", user="U0BUYER1"))
    [opened] = slack_sandbox.views(user="U0BUYER1")
    return slack.view_submission_payload(opened, "Wrong stems")


@pytest.mark.parametrize(
    "changes, explained",
    [
        ({"view__private_metadata": "not json"}, "could not be read"),
        ({"view__private_metadata": '{"invoice_id": "x"}'}, "could not be read"),
        ({"view__private_metadata": "[1, 2]"}, "could not be read"),
        ({"view__state__values": {}}, "could not be read"),
        ({"user__id": LONG_USER}, "Slack sent a user id this app cannot record"),
    ],
)
def test_a_reason_form_that_cannot_be_read_is_answered_inside_the_form_and_changes_nothing(
    web, slack, slack_runtime, reason_form, caplog, changes, explained
):
    before = state(slack_runtime)
    caplog.set_level(logging.INFO)
    caplog.clear()
    answer = answered(web, slack.interactivity(spoilt(reason_form, **changes)))
    assert answer.status_code == 200
    assert answer.get_json()["response_action"] == "errors"
    assert explained in answer.get_json()["errors"]["reason"]
    assert state(slack_runtime) == before
    one_line(caplog)


def test_a_reason_with_a_nul_byte_is_refused_inside_the_form_and_changes_nothing(
    web, slack, slack_runtime, reason_form, caplog
):
    before = state(slack_runtime)
    caplog.set_level(logging.INFO)
    caplog.clear()
    answer = answered(
        web, slack.interactivity(spoilt(reason_form, view__state__values__reason__reason_input__value="Wrong\x00stems"))
    )
    assert answer.status_code == 200 and "control characters" in answer.get_json()["errors"]["reason"]
    assert state(slack_runtime) == before
    assert not [r for r in caplog.records if r.levelno > logging.WARNING] and "Traceback" not in caplog.text


def test_a_reason_form_for_an_invoice_that_no_longer_exists_is_answered_inside_the_form(
    web, slack, slack_runtime, reason_form, caplog
):
    metadata = json.loads(reason_form["view"]["private_metadata"]) | {"invoice_id": 424242}
    before = state(slack_runtime)
    caplog.set_level(logging.INFO)
    caplog.clear()
    answer = answered(web, slack.interactivity(spoilt(reason_form, view__private_metadata=json.dumps(metadata))))
    assert answer.status_code == 200 and "no invoice with id 424242" in answer.get_json()["errors"]["reason"]
    assert state(slack_runtime) == before
    one_line(caplog)


def test_a_status_question_with_a_nul_byte_is_answered_and_logged_once(web, slack, slack_runtime, caplog):
    caplog.set_level(logging.INFO)
    caplog.clear()
    answer = answered(web, slack.slash_command("/invoice status FE\x0020931", user="U0BUYER1", channel=PROCUREMENT))
    assert answer.status_code == 200
    assert "No invoice has" in answer.get_json()["text"]
    assert not [r for r in caplog.records if r.levelno > logging.WARNING] and "Traceback" not in caplog.text


@pytest.mark.parametrize("stamp", ["abc", "1e3", "", "１７００００００００", "-1", "1700000000.5"])
def test_an_unsigned_request_with_a_timestamp_that_is_not_a_number_is_refused_401_in_one_line(
    web, slack_runtime, caplog, stamp
):
    body = b"payload=%7B%22type%22%3A%22block_actions%22%7D"
    headers = signed_headers(BASE_SETTINGS["slack_signing_secret"], body) | {"X-Slack-Request-Timestamp": stamp}
    before = state(slack_runtime)
    caplog.set_level(logging.INFO)
    caplog.clear()
    answer = web.post("/slack/events", data=body, headers=headers)
    assert answer.status_code == 401
    assert state(slack_runtime) == before
    assert "timestamp" in one_line(caplog).getMessage().lower()


@pytest.mark.parametrize("body", [b"{not json", b"payload=%7Bnot+json", b"payload=%5B1%5D", b"\xff\xfe"])
def test_an_unsigned_body_that_is_not_even_readable_is_refused_401_before_it_is_parsed(web, caplog, body):
    headers = signed_headers(BASE_SETTINGS["slack_signing_secret"], body, bad_signature=True)
    caplog.set_level(logging.INFO)
    caplog.clear()
    assert web.post("/slack/events", data=body, headers=headers).status_code == 401
    assert "signature" in one_line(caplog).getMessage().lower()


@pytest.mark.parametrize(
    "body", [b"{not json", b"payload=%7Bnot+json", b"payload=%5B1%5D", b"payload=" + b"%5B" * 20000]
)
def test_a_signed_body_that_cannot_be_parsed_is_answered_400_in_one_line(web, slack, caplog, body):
    headers, _ = slack.sign(body)
    caplog.set_level(logging.INFO)
    caplog.clear()
    assert web.post("/slack/events", data=body, headers=headers).status_code == 400
    one_line(caplog)
