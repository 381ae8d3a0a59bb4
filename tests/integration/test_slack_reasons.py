"""Reject and Return to Procurement: the modal asks why, the submission applies it, the card shows it."""

import json

from invoices.statuses import Status
from models import AuditEntry, Decision, Invoice
from tests.builders import approved_by_procurement, buttons, card, card_text, post, run_jobs, uploaded
from tests.sandboxes import ACCOUNTING, PROCUREMENT


def status_of(runtime, invoice_id) -> str:
    with runtime.sessions() as session:
        return session.get(Invoice, invoice_id).status


def test_reject_asks_for_a_reason_and_the_card_shows_it(web, slack, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    assert post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Reject", user="U0BUYER1")) == 200
    [opened] = slack_sandbox.views(user="U0BUYER1")
    assert opened["view"]["title"]["text"] == "Reject invoice"
    assert json.loads(opened["view"]["private_metadata"])["invoice_id"] == invoice_id
    assert "Invoice *FE-20931*" in json.dumps(opened["view"]["blocks"])  # the number the button carried
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT

    assert post(web, slack.view_submission(opened, "Stem count is 1,000, not 1,200")) == 200
    assert status_of(slack_runtime, invoice_id) == Status.REJECTED
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    assert r'*Status*\n:no_entry: Rejected"' in card_text(procurement)
    assert "Stem count is 1,000, not 1,200" in card_text(procurement)
    assert buttons(procurement) == []
    assert [m["text"] for m in slack_sandbox.thread(PROCUREMENT, procurement["ts"])][-1] == (
        ":no_entry: Rejected by <@U0BUYER1>: Stem count is 1,000, not 1,200"
    )


def test_return_to_procurement_records_the_reason_and_procurement_may_approve_again(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Return to Procurement", user="U0ACCT2"))
    post(web, slack.view_submission(slack_sandbox.views(user="U0ACCT2")[0], "Freight charge missing"))
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT
    run_jobs(slack_runtime)
    for shown in (card(slack_sandbox, PROCUREMENT), card(slack_sandbox, ACCOUNTING)):
        assert "Returned to Procurement" in card_text(shown) and "Freight charge missing" in card_text(shown)
    assert buttons(card(slack_sandbox, PROCUREMENT)) == ["Approve", "Reject"]
    assert buttons(card(slack_sandbox, ACCOUNTING)) == []
    with slack_runtime.sessions() as session:
        returned = session.query(Decision).filter_by(outcome="returned").one()
        assert (returned.user_id, returned.reason) == ("U0ACCT2", "Freight charge missing")


def test_an_empty_reason_is_refused_inside_the_modal(web, slack, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Reject", user="U0BUYER2"))
    headers, body = slack.view_submission(slack_sandbox.views(user="U0BUYER2")[0], "   ")
    answer = web.post("/slack/events", data=body, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["response_action"] == "errors"
    assert "reason" in answer.get_json()["errors"]
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT


def submitted(web, request) -> dict:
    """The JSON answer of a signed view submission (empty when the modal may close)."""
    headers, body = request
    answer = web.post("/slack/events", data=body, headers=headers)
    assert answer.status_code == 200
    return answer.get_json(silent=True) or {}


def test_someone_who_may_not_reject_gets_the_form_at_once_and_its_submission_is_refused_inside_it(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Reject", user="U0AP1"))
    [opened] = slack_sandbox.views(user="U0AP1")  # opened before any check: the trigger_id lives 3 s
    answer = submitted(web, slack.view_submission(opened, "Not mine to reject"))
    assert answer["response_action"] == "errors"
    assert "Only a Procurement approver may reject it." in answer["errors"]["reason"]
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT
    with slack_runtime.sessions() as session:
        assert session.query(AuditEntry).filter_by(outcome="refused", actor="U0AP1").count() == 1


def test_a_reason_submitted_after_someone_else_acted_is_refused(web, slack, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    post(web, slack.block_actions(procurement, "Reject", user="U0BUYER2"))
    post(web, slack.block_actions(procurement, "Approve", user="U0BUYER1"))
    answer = submitted(web, slack.view_submission(slack_sandbox.views(user="U0BUYER2")[0], "Wrong PO"))
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_ACCOUNTING
    assert "out of date" in answer["errors"]["reason"]
    with slack_runtime.sessions() as session:
        assert session.query(AuditEntry).filter_by(outcome="refused", actor="U0BUYER2").count() == 1
