"""What a person types is held to the form's limits on the server too, and what an answer echoes is capped and clean."""

from html import unescape

import pytest

from invoices.statuses import Status
from models import Decision, Invoice
from tests.builders import card, post, run_jobs, uploaded
from tests.sandboxes import PROCUREMENT

REASON = "reason"


def stored(runtime, invoice_id) -> tuple[str, list[str]]:
    """The invoice's status and every reason recorded for it."""
    with runtime.sessions() as session:
        reasons = [d.reason for d in session.query(Decision).filter_by(invoice_id=invoice_id)]
        return session.get(Invoice, invoice_id).status, reasons


@pytest.fixture
def reason_form(web, slack, slack_sandbox, slack_runtime):
    """An uploaded invoice and the reason modal its Reject opened, as (invoice id, opened view)."""
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Reject", user="U0BUYER1"))
    [opened] = slack_sandbox.views(user="U0BUYER1")
    return invoice_id, opened


def submitted(web, slack, opened, reason) -> dict:
    """Submit `reason` as Slack would send it, whatever the form's own max_length would have let through."""
    payload = slack.view_submission_payload(opened, "x")
    payload["view"]["state"]["values"][REASON]["reason_input"]["value"] = reason
    answer = web.post("/slack/events", data=(signed := slack.interactivity(payload))[1], headers=signed[0])
    assert answer.status_code == 200
    return answer.get_json() if answer.data else {}


def test_the_modal_says_2000_characters_and_the_server_refuses_more_inside_the_form(
    web, slack, slack_runtime, reason_form
):
    invoice_id, opened = reason_form
    [field] = [b for b in opened["view"]["blocks"] if b.get("block_id") == REASON]
    assert field["element"]["max_length"] == 2000
    for reason in ("x" * 100_000, "y" * 2001):
        answer = submitted(web, slack, opened, reason)
        assert answer["response_action"] == "errors"
        assert f"{len(reason):,} characters long" in answer["errors"][REASON] and "2,000" in answer["errors"][REASON]
        assert stored(slack_runtime, invoice_id) == (Status.PENDING_PROCUREMENT, [])
    assert submitted(web, slack, opened, "z" * 2000) == {}
    assert stored(slack_runtime, invoice_id) == (Status.REJECTED, ["z" * 2000])


@pytest.mark.parametrize("reason", ["Wrong\x00stems", "Wrong \x1b[31mstems", "Wrong \ud800 stems"])
def test_a_reason_with_control_characters_or_broken_text_is_refused_inside_the_form(
    web, slack, slack_runtime, reason_form, reason
):
    invoice_id, opened = reason_form
    answer = submitted(web, slack, opened, reason)
    assert answer["response_action"] == "errors" and "cannot be recorded" in answer["errors"][REASON]
    assert stored(slack_runtime, invoice_id) == (Status.PENDING_PROCUREMENT, [])


@pytest.mark.parametrize("verb", ["status", "replay-events"])
def test_an_echoed_argument_is_capped_and_cleaned(web, slack, slack_runtime, verb):
    typed = "FE-\x00\x1b[2J`<!here>" * 4000  # 40,000 characters with NUL, ESC, a backtick and a ping
    headers, body = slack.slash_command(f"/invoice {verb} {typed}", user="U0AP1", channel=PROCUREMENT)
    answer = web.post("/slack/events", data=body, headers=headers)
    assert answer.status_code == 200
    text = answer.get_json()["text"]
    assert len(text) < 300 and "…" in text
    assert not [c for c in text if ord(c) < 32 and c != "\n"] and "<!here>" not in text
    echoed = text.split("`")[1]  # one code span: the typed backtick cannot end it early
    assert len(unescape(echoed)) <= 80 and text.count("`") == 2
    assert echoed.startswith("FE-\ufffd\ufffd[2J\u02cb&lt;!here&gt;FE-")


def test_a_short_clean_argument_is_echoed_as_typed(web, slack, slack_runtime):
    headers, body = slack.slash_command("/invoice status NOPE_1*", user="U0BUYER1", channel=PROCUREMENT)
    text = web.post("/slack/events", data=body, headers=headers).get_json()["text"]
    assert text == "No invoice has the vendor invoice number, PO number or Bill number `NOPE_1*`."
