"""Return to Approved while the sync job is creating the Bill: nothing created after it, or the Bill reported (issue 9,
point 13)."""

import threading

import pytest
from sqlalchemy import select

from bot.answers import status_answer
from bot.thread_lines import thread_line
from invoices.audit import AuditKind
from invoices.statuses import Action
from models import AuditEntry
from sandbox.erp import example_upload
from services.read.cards import thread_entry
from services.read.view import load_view
from services.sync.single import sync_invoice
from tests.builders import AP, act, sent_invoice, stored, upload
from tests.integration.helpers import wait

WHY = "The PO number is wrong"  # Return to Approved asks for a reason, like Reject


def syncing_while(qbo_runtime, sandbox, invoice_id, path, meanwhile):
    """Run the sync on a thread while QuickBooks holds the request to `path` for a second; do `meanwhile` in it."""
    hang = sandbox.fault(kind="hang", seconds=1, count=1, path=path)
    answer = {}
    worker = threading.Thread(target=lambda: answer.update(outcome=sync_invoice(qbo_runtime, invoice_id)))
    worker.start()
    # The sandbox takes the rule as the request arrives, then holds it: `meanwhile` runs while it is in flight.
    wait(lambda: sandbox.taken(hang), f"the sync's request to {path} held by QuickBooks")
    meanwhile()
    worker.join(10)
    return answer.get("outcome")


def stray_entries(runtime, invoice_id):
    with runtime.sessions() as session:
        return session.scalars(
            select(AuditEntry).where(AuditEntry.invoice_id == invoice_id, AuditEntry.action == AuditKind.STRAY_BILL)
        ).all()


def test_return_to_approved_during_the_lookup_creates_no_bill(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    returned = syncing_while(
        qbo_runtime,
        sandbox,
        invoice_id,
        "/query",
        lambda: act(qbo_runtime, invoice_id, Action.RETURN_TO_APPROVED, AP, reason=WHY),
    )
    assert returned == "skipped"
    assert sandbox.bills() == []
    assert stored(qbo_runtime, invoice_id).status == "A"


@pytest.mark.parametrize("revised", [False, True])
def test_a_bill_created_as_the_invoice_is_returned_to_approved_is_told_in_the_thread_and_the_status_answer(
    qbo_runtime, sandbox, revised
):
    invoice_id = sent_invoice(qbo_runtime)

    def return_it():
        act(qbo_runtime, invoice_id, Action.RETURN_TO_APPROVED, AP, reason=WHY)
        if revised:
            assert upload(qbo_runtime, invoice={**example_upload()["invoice"], "date": "2026-11-18"}) == invoice_id

    assert syncing_while(qbo_runtime, sandbox, invoice_id, "/bill", return_it) == "skipped"
    [bill] = sandbox.bills()
    [entry] = stray_entries(qbo_runtime, invoice_id)
    line = thread_line(thread_entry(entry), bill["DocNumber"])
    assert f"Bill {bill['DocNumber']} (QuickBooks id {bill['Id']}) was created in QuickBooks for revision 1" in line
    advice = "delete that Bill in QuickBooks" if revised else "Send to External System adopts it"
    assert advice in line
    with qbo_runtime.sessions() as session:
        answer = status_answer("FE-20931", [load_view(session, invoice_id, qbo_runtime.numbering)])
    assert f"QuickBooks id {bill['Id']}) was created in QuickBooks" in answer and advice in answer


def test_sending_again_after_the_report_adopts_the_bill_and_clears_it(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    syncing_while(
        qbo_runtime,
        sandbox,
        invoice_id,
        "/bill",
        lambda: act(qbo_runtime, invoice_id, Action.RETURN_TO_APPROVED, AP, reason=WHY),
    )
    assert act(qbo_runtime, invoice_id, Action.SEND, AP).changed
    assert sync_invoice(qbo_runtime, invoice_id) == "S"
    [bill] = sandbox.bills()
    invoice = stored(qbo_runtime, invoice_id)
    assert invoice.bill_id == bill["Id"] and invoice.last_error is None
