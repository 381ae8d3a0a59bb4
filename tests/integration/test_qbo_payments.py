"""Payments as QuickBooks reports them, applied to invoices: partly paid, paid by card, voided, deleted (issue 9,
point 8)."""

import pytest
from sqlalchemy import select

from models import AuditEntry
from services.reconcile.sweeps import capture_changes
from tests.builders import stored
from tests.integration.helpers import deliver, synchronized


def pay(sandbox, bill_id, **body):
    return sandbox.control("POST", f"/realms/{sandbox.realm}/bills/{bill_id}/pay", **body)["BillPayment"]


def said(runtime, invoice_id, action):
    with runtime.sessions() as session:
        return session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.invoice_id == invoice_id, AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()


def test_a_bill_paid_in_two_parts_by_card_is_told_partly_paid_then_becomes_paid(qbo_runtime, hooked):
    invoice_id, bill_id = synchronized(qbo_runtime, hooked)
    pay(hooked, bill_id, amount="500.00", pay_type="CreditCard")
    deliver(qbo_runtime, hooked)
    assert stored(qbo_runtime, invoice_id).status == "S"
    assert said(qbo_runtime, invoice_id, "bill_balance") == [
        f"Bill 100482-FE-20931 (QuickBooks id {bill_id}) was partly paid in QuickBooks: "
        f"paid 500.00 of 1,093.50; 593.50 left"
    ]
    pay(hooked, bill_id, pay_type="CreditCard")
    deliver(qbo_runtime, hooked)
    assert stored(qbo_runtime, invoice_id).status == "P"


@pytest.mark.parametrize("undo", ["void", "delete"])
def test_a_paid_bills_payment_undone_in_quickbooks_makes_the_invoice_synchronized_again_and_says_why(
    qbo_runtime, hooked, undo
):
    invoice_id, bill_id = synchronized(qbo_runtime, hooked)
    payment = pay(hooked, bill_id)
    deliver(qbo_runtime, hooked)
    assert stored(qbo_runtime, invoice_id).status == "P"
    if undo == "void":
        hooked.control("POST", f"/realms/{hooked.realm}/payments/{payment['Id']}/void")
    else:
        hooked.control("DELETE", f"/realms/{hooked.realm}/payments/{payment['Id']}")
    deliver(qbo_runtime, hooked)
    assert stored(qbo_runtime, invoice_id).status == "S"
    assert said(qbo_runtime, invoice_id, "bill_unpaid") == [
        f"Bill 100482-FE-20931 (QuickBooks id {bill_id}) is no longer fully paid in QuickBooks (a payment was "
        f"voided or deleted): paid 0.00 of 1,093.50; 1,093.50 left"
    ]
    pay(hooked, bill_id)
    deliver(qbo_runtime, hooked)
    assert stored(qbo_runtime, invoice_id).status == "P"


def test_change_data_capture_alone_finds_a_partial_then_full_payment(qbo_runtime, sandbox):
    invoice_id, bill_id = synchronized(qbo_runtime, sandbox)
    pay(sandbox, bill_id, amount="93.50")
    capture_changes(qbo_runtime)
    assert stored(qbo_runtime, invoice_id).status == "S"
    assert "paid 93.50 of 1,093.50; 1,000.00 left" in said(qbo_runtime, invoice_id, "bill_balance")[0]
    pay(sandbox, bill_id)
    capture_changes(qbo_runtime)
    assert stored(qbo_runtime, invoice_id).status == "P"
