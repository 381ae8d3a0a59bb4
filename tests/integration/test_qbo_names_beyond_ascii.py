"""Names beyond ASCII (docs/quickbooks.md): QuickBooks' query parser refuses them, so no lookup puts one in a query. The
vendor list is read in pages of 1,000, once per cache lifetime, and matched exactly; through the real
python-quickbooks against the sandbox, which refuses any non-ASCII query as QuickBooks does."""

import pytest

from invoices.statuses import Action
from sandbox.erp import example_upload
from tests.backends import with_settings
from tests.builders import AP, act, sent_invoice, settle, stored

ROSA, CIA = "Rosa’s Farm – Ecuador", "Cía. Agrícola Chía"
VENDOR_LIST = "select * from Vendor startposition"


def sent(runtime, number: str, vendor: str | None = None, **sections) -> int:
    """The example invoice numbered `number` (of the QuickBooks vendor `vendor`), sent (in ES)."""
    data = example_upload()
    data["invoice"]["number"] = number
    if vendor:
        code = "".join(c for c in vendor.upper() if c.isascii() and c.isalnum())[:12]
        data["vendor"] = {"code": code, "name": vendor, "qb_accounting_name": vendor}
    for section, values in sections.items():
        data[section].update(values)
    return sent_invoice(runtime, data)


def queries(sandbox) -> list[str]:
    """Every query text the company was sent, in order."""
    return sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["queries"]


def vendor_reads(sandbox) -> list[str]:
    return [text for text in queries(sandbox) if text.startswith(VENDOR_LIST)]


def seed(sandbox, vendors=(), items=(), classes=()) -> None:
    sandbox.control("POST", "/seed", vendors=list(vendors), items=list(items), classes=list(classes))


def test_vendors_with_typographic_quotes_dashes_and_accents_get_their_bills(qbo_runtime, sandbox):
    seed(sandbox, [ROSA, CIA])
    rosa = sent(qbo_runtime, "FE-1", ROSA)
    assert settle(qbo_runtime, rosa) == "S"
    cia = sent(qbo_runtime, "FE-2", CIA)
    assert settle(qbo_runtime, cia) == "S"
    assert sorted(b["VendorRef"]["name"] for b in sandbox.bills()) == sorted([ROSA, CIA])
    assert all(text.isascii() for text in queries(sandbox))


def test_the_two_vendors_synced_together_in_one_batch(qbo_runtime, sandbox):
    seed(sandbox, [ROSA, CIA])
    ids = [sent(qbo_runtime, "FE-1", ROSA), sent(qbo_runtime, "FE-2", CIA), sent(qbo_runtime, "FE-3")]
    assert settle(qbo_runtime, ids[0]) == "S"
    assert [stored(qbo_runtime, i).status for i in ids] == ["S"] * 3
    assert sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["batches"] == [3]
    assert len(vendor_reads(sandbox)) == 1 and all(text.isascii() for text in queries(sandbox))


def test_in_a_company_of_3000_vendors_the_one_on_the_third_page_is_found(qbo_runtime, sandbox):
    seed(sandbox, [f"Farm {n:04d}" for n in range(2993)])
    seed(sandbox, [ROSA])  # created last: the highest Id, on the third page of 1,000
    assert sandbox.control("POST", "/seed")["vendors"][-1]["DisplayName"] == ROSA
    invoice_id = sent(qbo_runtime, "FE-1", ROSA)
    assert settle(qbo_runtime, invoice_id) == "S", stored(qbo_runtime, invoice_id).last_error
    assert sandbox.bills()[0]["VendorRef"]["name"] == ROSA
    assert vendor_reads(sandbox) == [f"{VENDOR_LIST} {start} maxresults 1000" for start in (1, 1001, 2001, 3001)]


def test_the_vendor_list_is_read_once_per_cache_lifetime_not_per_invoice(qbo_runtime, sandbox):
    seed(sandbox, [ROSA, CIA])
    for number, vendor in (("FE-1", ROSA), ("FE-2", CIA), ("FE-3", None)):
        assert settle(qbo_runtime, sent(qbo_runtime, number, vendor)) == "S"
    assert len(vendor_reads(sandbox)) == 1
    qbo_runtime.quickbooks().forget_references()  # as when the 5 minutes are over
    assert settle(qbo_runtime, sent(qbo_runtime, "FE-4", ROSA)) == "S"
    assert len(vendor_reads(sandbox)) == 2 and len(sandbox.bills()) == 4


def test_a_vendor_created_after_the_list_was_read_is_found_on_retry(qbo_runtime, sandbox):
    assert settle(qbo_runtime, sent(qbo_runtime, "FE-1")) == "S"  # the list is cached now, without Rosa
    invoice_id = sent(qbo_runtime, "FE-2", ROSA)
    assert settle(qbo_runtime, invoice_id) == "F"
    seed(sandbox, [ROSA])
    assert act(qbo_runtime, invoice_id, Action.RETRY, AP).changed
    assert settle(qbo_runtime, invoice_id) == "S"
    assert len(vendor_reads(sandbox)) == 3  # the first read, then once per job that missed a name


def test_a_name_differing_only_in_letter_case_fails_naming_the_quickbooks_vendor(qbo_runtime, sandbox):
    seed(sandbox, [ROSA])
    invoice_id = sent(qbo_runtime, "FE-1", ROSA.upper())
    assert settle(qbo_runtime, invoice_id) == "F"
    error = stored(qbo_runtime, invoice_id).last_error
    assert f"no active vendor named exactly {ROSA.upper()!r} (it has {ROSA!r}, which differs in letter case" in error
    assert sandbox.bills() == []


def test_an_item_and_a_class_named_beyond_ascii_are_found_without_a_query_naming_them(qbo_runtime, sandbox):
    seed(sandbox, items=["Flores frescas – cortadas"], classes=["Bogotá"])
    runtime = with_settings(qbo_runtime, qbo_item_name="Flores frescas – cortadas")
    invoice_id = sent(runtime, "FE-1", purchase_order={"class": "Bogotá"})
    assert settle(runtime, invoice_id) == "S", stored(runtime, invoice_id).last_error
    detail = sandbox.bills()[0]["Line"][0]["ItemBasedExpenseLineDetail"]
    assert (detail["ItemRef"]["name"], detail["ClassRef"]["name"]) == ("Flores frescas – cortadas", "Bogotá")
    assert all(text.isascii() for text in queries(sandbox))


@pytest.mark.parametrize("mode", ["502", "abort"])
def test_a_bill_number_beyond_ascii_is_still_looked_up_and_adopted_after_a_lost_answer(qbo_runtime, sandbox, mode):
    invoice_id = sent(qbo_runtime, "FÉ-20931")
    sandbox.fault(kind="lost", mode=mode, count=1, method="POST", path="/bill")
    with pytest.raises(AssertionError, match="did not settle"):
        settle(qbo_runtime, invoice_id, attempts=1)
    sandbox.forget_replies()
    assert settle(qbo_runtime, invoice_id) == "S"
    [bill] = sandbox.bills()
    assert bill["DocNumber"] == "100482-FÉ-20931" and stored(qbo_runtime, invoice_id).bill_id == bill["Id"]
    assert all(text.isascii() for text in queries(sandbox))


def test_a_bill_number_beyond_ascii_in_a_batch_is_looked_up_by_its_vendor_and_all_sync(qbo_runtime, sandbox):
    ids = [sent(qbo_runtime, "FE-1"), sent(qbo_runtime, "FÉ-2"), sent(qbo_runtime, "FE-3")]
    assert settle(qbo_runtime, ids[0]) == "S"
    assert [stored(qbo_runtime, i).status for i in ids] == ["S"] * 3
    assert sorted(b["DocNumber"] for b in sandbox.bills()) == ["100482-FE-1", "100482-FE-3", "100482-FÉ-2"]
    assert all(text.isascii() for text in queries(sandbox))
