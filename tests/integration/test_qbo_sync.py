"""The sync job against the QuickBooks sandbox, through the real python-quickbooks and intuitlib."""

import json
from decimal import Decimal

from invoices.statuses import Action
from sandbox.erp import example_upload
from tests.builders import AP, act, resent_revision, sent_invoice, settle, stored


def test_the_example_invoice_becomes_one_bill_with_vendor_number_date_lines_classes_and_total(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, invoice_id) == "S"
    [bill] = sandbox.bills()
    assert bill["VendorRef"]["name"] == "Flores de la Sabana SAS"
    assert bill["DocNumber"] == "100482-FE-20931"
    assert bill["TxnDate"] == "2026-11-20"
    assert [line["Description"] for line in bill["Line"]] == ["Rose Freedom 50cm", "Carnation Fancy White", "Handling"]
    details = [line["ItemBasedExpenseLineDetail"] for line in bill["Line"]]
    assert {d["ItemRef"]["name"] for d in details} == {"Fresh Cut Flowers"}
    assert {d["ClassRef"]["name"] for d in details} == {"Miami"}
    assert Decimal(str(bill["TotalAmt"])) == Decimal("1093.50")
    invoice = stored(qbo_runtime, invoice_id)
    assert (invoice.status, invoice.bill_id, invoice.bill_number) == ("S", bill["Id"], "100482-FE-20931")


def test_an_earlier_revisions_bill_is_not_adopted_for_a_new_revision_with_the_same_number(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, invoice_id) == "S"
    revised = example_upload()
    revised["invoice"]["lines"][0]["product"] = "Rose Explorer 50cm"
    resent_revision(qbo_runtime, invoice_id, revised)
    assert settle(qbo_runtime, invoice_id) == "F"
    [old] = sandbox.bills()
    assert (
        f"QuickBooks already has Bill 100482-FE-20931 (QuickBooks id {old['Id']}), created by invoice-sync "
        "for revision 1 of this invoice; delete that Bill in QuickBooks so revision 2 can be sent, then Retry"
        in stored(qbo_runtime, invoice_id).last_error
    )
    sandbox.control("DELETE", f"/realms/{sandbox.realm}/bills/{old['Id']}")
    assert act(qbo_runtime, invoice_id, Action.RETRY, AP).changed
    assert settle(qbo_runtime, invoice_id) == "S"
    [new] = sandbox.bills()
    assert "Rose Explorer 50cm" in json.dumps(new["Line"]) and new["Id"] != old["Id"]
