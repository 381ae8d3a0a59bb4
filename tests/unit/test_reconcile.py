"""What QuickBooks reports about our Bills, applied from the Bill's current state read through the port."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from invoices.events import InvoiceChanged
from models import AuditEntry
from services.locks import Busy
from services.reconcile.bills import reconcile_bill, reconcile_entity
from services.sync.single import sync_invoice
from services.sync.steps import invoice_lock_name
from tests.builders import sent_invoice, stored
from tests.unit.drafts import note_of

NUMBER = "100482-FE-20931"


@pytest.fixture
def synchronized(runtime, qbo):
    """An invoice Synchronized as the fake's one Bill: (invoice id, bill id)."""
    invoice_id = sent_invoice(runtime)
    assert sync_invoice(runtime, invoice_id) == "S"
    runtime.publisher.published.clear()
    return invoice_id, stored(runtime, invoice_id).bill_id


def details(runtime, invoice_id, action):
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry.detail).where(AuditEntry.invoice_id == invoice_id, AuditEntry.action == action)
            )
        )


def test_a_bill_deleted_in_quickbooks_returns_its_invoice_to_approved_without_a_bill(runtime, qbo, synchronized):
    invoice_id, bill_id = synchronized
    del qbo.bills[bill_id]
    assert reconcile_entity(runtime, qbo, "Bill", bill_id) == "A"
    invoice = stored(runtime, invoice_id)
    assert (invoice.status, invoice.bill_id, invoice.bill_confirmed_at) == ("A", None, None)
    assert details(runtime, invoice_id, "bill_deleted") == [
        f"Bill {NUMBER} (QuickBooks id {bill_id}) was deleted in QuickBooks; the invoice is Approved again and may "
        "be sent again"
    ]


def test_a_payment_of_our_bill_marks_its_invoice_paid(runtime, qbo, synchronized):
    invoice_id, bill_id = synchronized
    payment = qbo.pay(bill_id)
    assert reconcile_entity(runtime, qbo, "BillPayment", payment["Id"]) == "P"
    assert stored(runtime, invoice_id).status == "P"


def test_a_bill_quickbooks_reports_confirms_the_synchronized_invoice_and_changes_nothing_else(
    runtime, qbo, synchronized
):
    invoice_id, bill_id = synchronized
    assert reconcile_entity(runtime, qbo, "Bill", bill_id) == "S"
    invoice = stored(runtime, invoice_id)
    assert invoice.status == "S" and invoice.bill_confirmed_at is not None
    assert runtime.publisher.published == []


def test_a_total_changed_in_quickbooks_is_reported_once_per_distinct_total(runtime, qbo, synchronized):
    invoice_id, bill_id = synchronized
    qbo.bills[bill_id]["TotalAmt"] = Decimal("1000.00")
    for _ in range(2):
        assert reconcile_entity(runtime, qbo, "Bill", bill_id) == "S"
    assert details(runtime, invoice_id, "bill_total_drift") == [
        f"Bill {NUMBER} (QuickBooks id {bill_id}) was changed in QuickBooks: its total is now 1000.00, the invoice "
        "total is 1093.50"
    ]
    assert [type(e) for e in runtime.publisher.published] == [InvoiceChanged]


def test_our_bill_reported_while_its_invoice_is_still_in_es_is_adopted_as_confirmed(runtime, qbo):
    invoice_id = sent_invoice(runtime)
    bill = qbo.add_bill(NUMBER, note=note_of(invoice_id))
    assert reconcile_bill(runtime, qbo, bill["Id"], bill) == "S"
    invoice = stored(runtime, invoice_id)
    assert (invoice.status, invoice.bill_id) == ("S", bill["Id"]) and invoice.bill_confirmed_at is not None


def test_the_adoption_waits_for_a_sync_under_way_on_the_same_invoice(runtime, qbo, wiring):
    invoice_id = sent_invoice(runtime)
    bill = qbo.add_bill(NUMBER, note=note_of(invoice_id))
    with wiring.memory_locks.hold(invoice_lock_name(invoice_id), 60):
        with pytest.raises(Busy):
            reconcile_bill(runtime, qbo, bill["Id"], bill)
    assert stored(runtime, invoice_id).status == "ES"


@pytest.mark.parametrize(
    "number, note, outcome",
    [
        (NUMBER, note_of(1, revision=2), "ES"),
        ("100482-FE-99999", note_of(1), "ES"),
        (NUMBER, "typed by the bookkeeper", "ignored"),
    ],
    ids=["another-revision", "another-number", "not-ours"],
)
def test_a_bill_that_is_not_this_sends_is_not_adopted(runtime, qbo, number, note, outcome):
    invoice_id = sent_invoice(runtime)
    assert invoice_id == 1, "the notes above name invoice 1"
    bill = qbo.add_bill(number, note=note)
    assert reconcile_bill(runtime, qbo, bill["Id"], bill) == outcome
    assert stored(runtime, invoice_id).status == "ES" and qbo.called("create_bill") == []
