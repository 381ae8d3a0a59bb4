"""An invoice's first create against the local QuickBooks (docs/quickbooks.md): one request where the company
refuses duplicate bill numbers, the lookup first where it does not, and a Bill of its number typed by hand fails it
either way."""

import pytest

from invoices.bill import draft_bill
from sandbox.erp import example_upload
from services.ports import BillRefs
from tests.builders import sent_invoice, settle, stored
from tests.integration.helpers import stats
from tests.unit.drafts import NUMBERING, facts

VENDOR, ITEM = "Flores de la Sabana SAS", "Fresh Cut Flowers"


def sent(runtime, number: str) -> int:
    data = example_upload()
    data["invoice"]["number"] = number
    return sent_invoice(runtime, data)


def warned(sandbox, on: bool) -> None:
    """Turn the company's "Warn if duplicate bill number is used" on or off (before any sync reads Preferences)."""
    sandbox.control("PUT", f"/realms/{sandbox.realm}/preferences", warn_duplicate_bill_number=on)


@pytest.mark.parametrize("refusing, requests", [(True, 1), (False, 2)], ids=["refusing", "accepting"])
def test_a_first_send_costs_one_request_only_where_quickbooks_refuses_duplicate_numbers(
    qbo_runtime, sandbox, refusing, requests
):
    warned(sandbox, refusing)
    assert settle(qbo_runtime, sent(qbo_runtime, "FE-1")) == "S"  # reads and caches the references and Preferences
    invoice_id = sent(qbo_runtime, "FE-2")
    before = stats(sandbox)["requests"]
    assert settle(qbo_runtime, invoice_id) == "S"
    assert stats(sandbox)["requests"] - before == requests
    assert stored(qbo_runtime, invoice_id).bill_number == "100482-FE-2"


@pytest.mark.parametrize("refusing", [True, False], ids=["refusing", "accepting"])
def test_a_bill_of_the_number_typed_by_hand_fails_a_first_send_and_no_second_bill_is_made(
    qbo_runtime, sandbox, refusing
):
    warned(sandbox, refusing)
    gateway = qbo_runtime.quickbooks()
    refs = BillRefs(gateway.vendor_id(VENDOR), gateway.item_id(ITEM), gateway.classes()["Miami"])
    typed = gateway.create_bill(draft_bill(facts(invoice_id=999, invoice_number="FE-3"), NUMBERING), refs, "by-hand")
    invoice_id = sent(qbo_runtime, "FE-3")
    assert settle(qbo_runtime, invoice_id) == "F"
    assert (
        f"(QuickBooks id {typed['Id']}) and was not created by invoice-sync"
        in stored(qbo_runtime, invoice_id).last_error
    )
    assert [bill["Id"] for bill in sandbox.bills()] == [typed["Id"]]
