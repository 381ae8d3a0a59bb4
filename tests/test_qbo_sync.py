"""The sync job against the QuickBooks sandbox, through the real python-quickbooks and intuitlib."""

from decimal import Decimal

from tests.qbo_support import invoice, qbo_runtime, sandbox, sent_invoice, settle  # noqa: F401


def test_the_example_invoice_becomes_one_bill_with_vendor_number_date_lines_classes_and_total(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    assert settle(invoice_id) == "S"
    [bill] = sandbox.bills()
    assert bill["VendorRef"]["name"] == "Flores de la Sabana SAS"
    assert bill["DocNumber"] == "100482-FE-20931"
    assert bill["TxnDate"] == "2026-11-20"
    assert [line["Description"] for line in bill["Line"]] == ["Rose Freedom 50cm", "Carnation Fancy White", "Handling"]
    details = [line["ItemBasedExpenseLineDetail"] for line in bill["Line"]]
    assert {d["ItemRef"]["name"] for d in details} == {"Fresh Cut Flowers"}
    assert {d["ClassRef"]["name"] for d in details} == {"Miami"}
    assert Decimal(str(bill["TotalAmt"])) == Decimal("1093.50")
    stored = invoice(qbo_runtime, invoice_id)
    assert (stored.status, stored.bill_id, stored.bill_number) == ("S", bill["Id"], "100482-FE-20931")
