"""The approval path through the Flask app with signed Slack requests, the sandbox being Slack."""

from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from jobs import tasks
from jobs.registry import path_of
from models import Invoice
from services.changes.actions import apply_action
from services.changes.unit_of_work import UnitOfWork
from tests.builders import approved_by_procurement, buttons, card, card_text, post, run_jobs, uploaded
from tests.sandboxes import ACCOUNTING, PROCUREMENT

SYSTEM = Actor(id="invoice-sync", roles=frozenset({Role.SYSTEM}))


def status_of(runtime, invoice_id) -> str:
    with runtime.sessions() as session:
        return session.get(Invoice, invoice_id).status


def thread_texts(sandbox, message) -> list[str]:
    return [m["text"] for m in sandbox.thread(message["channel"], message["ts"])]


def test_an_invoice_goes_from_upload_to_synchronized_with_cards_and_one_thread_line_per_event(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    assert buttons(procurement) == ["Approve", "Reject"]
    assert "Pending Procurement Approval" in card_text(procurement) and "Rose Freedom 50cm" in card_text(procurement)
    assert slack_sandbox.messages(ACCOUNTING) == []

    assert post(web, slack.block_actions(procurement, "Approve", user="U0BUYER1")) == 200
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    accounting = card(slack_sandbox, ACCOUNTING)
    assert buttons(procurement) == [] and "Pending Accounting Approval" in card_text(procurement)
    assert buttons(accounting) == ["Approve", "Reject", "Return to Procurement"]
    assert "U0BUYER1" in card_text(accounting)

    assert post(web, slack.block_actions(accounting, "Approve", user="U0ACCT1")) == 200
    run_jobs(slack_runtime)
    accounting = card(slack_sandbox, ACCOUNTING)
    assert buttons(accounting) == ["Send to External System"]
    assert r'*Status*\n:white_check_mark: Approved"' in card_text(accounting)

    assert post(web, slack.block_actions(accounting, "Send to External System", user="U0AP1")) == 200
    assert run_jobs(slack_runtime) == [path_of(tasks.sync_invoice)]
    accounting = card(slack_sandbox, ACCOUNTING)
    assert buttons(accounting) == ["Return to Approved"] and "Sent to External System" in card_text(accounting)

    with UnitOfWork(slack_runtime) as uow:  # publishes InvoiceChanged(invoice_id, audit_id) on commit
        result = apply_action(uow, invoice_id, Action.SYNC_SUCCEEDED, SYSTEM)
        result.invoice.bill_id, result.invoice.bill_number = "146", "100482-FE-20931"
    run_jobs(slack_runtime)

    accounting, procurement = card(slack_sandbox, ACCOUNTING), card(slack_sandbox, PROCUREMENT)
    for shown in (accounting, procurement):
        assert r'*Status*\n:large_green_circle: Synchronized"' in card_text(shown) and "id 146" in card_text(shown)
    assert thread_texts(slack_sandbox, procurement) == [
        ":inbox_tray: Received from the ERP: revision 1, total 1093.50.",
        ":white_check_mark: Approved for Procurement by <@U0BUYER1>.",
        ":white_check_mark: Approved for Accounting by <@U0ACCT1>.",
        ":outbox_tray: Sent to QuickBooks by <@U0AP1>.",
        ":large_green_circle: Synchronized as Bill 100482-FE-20931.",
    ]
    assert thread_texts(slack_sandbox, accounting) == thread_texts(slack_sandbox, procurement)[1:]

    answer = web.post(
        "/slack/events",
        data=(req := slack.slash_command("/invoice status FE-20931", user="U0OUTSIDE", channel=PROCUREMENT))[1],
        headers=req[0],
    )
    text = answer.get_json()["text"]
    assert "Synchronized" in text and "QuickBooks id 146" in text and "U0ACCT1" in text


def test_someone_not_on_the_approver_list_is_refused_privately_and_nothing_changes(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    assert post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Approve", user="U0OUTSIDE")) == 200
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT
    [refusal] = slack_sandbox.ephemerals(user="U0OUTSIDE")
    assert "Only a Procurement approver may approve it." in refusal["text"] and refusal["channel"] == PROCUREMENT
    assert run_jobs(slack_runtime) == [] and slack_sandbox.calls("chat.update") == []


def test_an_accounting_approver_cannot_send_to_quickbooks(web, slack, slack_sandbox, slack_runtime):
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Approve", user="U0ACCT1"))
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Send to External System", user="U0ACCT2"))
    assert status_of(slack_runtime, invoice_id) == Status.APPROVED
    assert "Only an A/P sender may send it to QuickBooks." in slack_sandbox.ephemerals(user="U0ACCT2")[0]["text"]
    assert run_jobs(slack_runtime) == []


def test_same_person_cannot_approve_both_departments(web, slack, slack_sandbox, slack_runtime):
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, slack_runtime, user="U0BUYER2")
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Approve", user="U0BUYER2"))
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_ACCOUNTING
    assert "someone else must approve it for Accounting" in slack_sandbox.ephemerals(user="U0BUYER2")[0]["text"]


def test_a_click_on_an_out_of_date_card_is_refused(web, slack, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    stale = card(slack_sandbox, PROCUREMENT)
    post(web, slack.block_actions(stale, "Approve", user="U0BUYER1"))
    post(web, slack.block_actions(stale, "Approve", user="U0BUYER2"))
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_ACCOUNTING
    assert "out of date" in slack_sandbox.ephemerals(user="U0BUYER2")[0]["text"]


def test_a_bad_signature_or_a_stale_timestamp_is_refused_with_401_and_changes_nothing(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    assert post(web, slack.block_actions(procurement, "Approve", user="U0BUYER1", bad_signature=True)) == 401
    assert post(web, slack.block_actions(procurement, "Approve", user="U0BUYER1", stale=True)) == 401
    assert post(web, slack.slash_command("/invoice help", user="U0BUYER1", channel=PROCUREMENT, stale=True)) == 401
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT
