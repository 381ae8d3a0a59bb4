"""Inactive vendors and items (issue 16 item 7): QuickBooks leaves them out of a default query and refuses a Bill
naming one with 610 "Object Not Found"; the product drops its cached references on 610 as on 2500, so a Retry
after reactivating works at once. Through the real python-quickbooks against the sandbox, both databases."""

from invoices.statuses import Action
from tests.builders import AP, act, settle, stored
from tests.integration.test_qbo_names_beyond_ascii import sent, vendor_reads

VENDOR, ITEM = "Flores de la Sabana SAS", "Fresh Cut Flowers"


def entry(sandbox, kind: str, name: str) -> dict:
    """The vendor or item named `name` as the control API lists it."""
    listed = sandbox.control("POST", "/seed")[kind]
    return next(record for record in listed if (record.get("DisplayName") or record.get("Name")) == name)


def set_active(sandbox, kind: str, name: str, active: bool) -> None:
    sandbox.control("PATCH", f"/realms/{sandbox.realm}/{kind}/{entry(sandbox, kind, name)['Id']}", active=active)


def test_retry_after_reactivating_a_vendor_made_inactive_since_it_was_cached(qbo_runtime, sandbox):
    assert settle(qbo_runtime, sent(qbo_runtime, "FE-1")) == "S"  # the vendor list and the item are cached
    set_active(sandbox, "vendors", VENDOR, False)
    invoice_id = sent(qbo_runtime, "FE-2")
    assert settle(qbo_runtime, invoice_id) == "F"
    error = stored(qbo_runtime, invoice_id).last_error
    assert "something it names is inactive" in error and "exist and are active, then Retry" in error
    reads = len(vendor_reads(sandbox))
    set_active(sandbox, "vendors", VENDOR, True)
    assert act(qbo_runtime, invoice_id, Action.RETRY, AP).changed
    assert settle(qbo_runtime, invoice_id) == "S", stored(qbo_runtime, invoice_id).last_error
    assert len(vendor_reads(sandbox)) == reads + 1  # the 610 dropped the cached list: read again, not in 5 minutes
    assert len(sandbox.bills()) == 2


def test_retry_after_reactivating_an_inactive_item(qbo_runtime, sandbox):
    assert settle(qbo_runtime, sent(qbo_runtime, "FE-1")) == "S"
    set_active(sandbox, "items", ITEM, False)
    invoice_id = sent(qbo_runtime, "FE-2")
    assert settle(qbo_runtime, invoice_id) == "F"
    assert "something it names is inactive" in stored(qbo_runtime, invoice_id).last_error
    set_active(sandbox, "items", ITEM, True)
    assert act(qbo_runtime, invoice_id, Action.RETRY, AP).changed
    assert settle(qbo_runtime, invoice_id) == "S", stored(qbo_runtime, invoice_id).last_error


def test_a_vendor_inactive_when_the_list_is_read_is_not_found_then_found_once_reactivated(qbo_runtime, sandbox):
    set_active(sandbox, "vendors", VENDOR, False)
    invoice_id = sent(qbo_runtime, "FE-1")
    assert settle(qbo_runtime, invoice_id) == "F"
    assert f"no active vendor named exactly {VENDOR!r}" in stored(qbo_runtime, invoice_id).last_error
    set_active(sandbox, "vendors", VENDOR, True)
    assert act(qbo_runtime, invoice_id, Action.RETRY, AP).changed
    assert settle(qbo_runtime, invoice_id) == "S", stored(qbo_runtime, invoice_id).last_error
