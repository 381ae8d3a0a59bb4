"""What the Return to Approved dialog promises, against the QuickBooks sandbox: the Bill stays and a resend adopts
it."""

from invoices.statuses import Action
from tests.builders import AP, act, sent_invoice, settle, stored


def test_a_synchronized_invoice_returned_to_approved_keeps_its_bill_and_sent_again_adopts_it(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, invoice_id) == "S"
    [bill] = sandbox.bills()
    assert act(qbo_runtime, invoice_id, Action.RETURN_TO_APPROVED, AP, reason="Booked to the wrong GL account").changed
    assert [b["Id"] for b in sandbox.bills()] == [bill["Id"]]
    assert act(qbo_runtime, invoice_id, Action.SEND, AP).changed
    assert settle(qbo_runtime, invoice_id) == "S"
    assert [b["Id"] for b in sandbox.bills()] == [bill["Id"]]
    assert stored(qbo_runtime, invoice_id).bill_id == bill["Id"]
