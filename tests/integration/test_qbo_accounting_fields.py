"""The Bill's accounting fields (issue 16 item 5) through the real python-quickbooks against the sandbox, both
databases: QBO_AP_ACCOUNT, QBO_DUE_DATE_FROM_TERMS and QBO_LOCATION_FROM on the Bill, and a missing reference
failing before any write, naming what to create in QuickBooks."""

import pytest

from invoices.statuses import Action
from tests.backends import with_settings
from tests.builders import AP, act, sent_invoice, settle, stored

VENDOR = "Flores de la Sabana SAS"


def add(sandbox, kind: str, name: str, **options) -> dict:
    return sandbox.control("POST", f"/realms/{sandbox.realm}/{kind}", name=name, **options)


def give_terms(sandbox, terms: str) -> None:
    vendor = next(v for v in sandbox.control("POST", "/seed")["vendors"] if v["DisplayName"] == VENDOR)
    sandbox.control("PATCH", f"/realms/{sandbox.realm}/vendors/{vendor['Id']}", terms=terms)


def test_nothing_configured_leaves_quickbooks_defaults(qbo_runtime, sandbox):
    give_terms(sandbox, "Net 30")
    assert settle(qbo_runtime, sent_invoice(qbo_runtime)) == "S"
    [bill] = sandbox.bills()
    assert bill["DueDate"] == bill["TxnDate"] == "2026-11-20" and "DepartmentRef" not in bill
    assert bill["APAccountRef"]["name"] == "Accounts Payable (A/P)"  # implied by QuickBooks, not sent


def test_the_configured_account_terms_and_location_are_on_the_bill(qbo_runtime, sandbox):
    imports = add(sandbox, "accounts", "A/P Imports", account_type="Accounts Payable")
    miami = add(sandbox, "departments", "Miami")
    give_terms(sandbox, "Net 30")
    runtime = with_settings(
        qbo_runtime, qbo_ap_account="A/P Imports", qbo_due_date_from_terms=True, qbo_location_from="class"
    )
    invoice_id = sent_invoice(runtime)
    assert settle(runtime, invoice_id) == "S", stored(runtime, invoice_id).last_error
    [bill] = sandbox.bills()
    assert bill["APAccountRef"] == {"value": imports["Id"], "name": "A/P Imports"}
    assert bill["DepartmentRef"] == {"value": miami["Id"], "name": "Miami"}
    assert (bill["TxnDate"], bill["DueDate"], bill["SalesTermRef"]["name"]) == ("2026-11-20", "2026-12-20", "Net 30")


def test_a_mapped_location_and_a_date_driven_term(qbo_runtime, sandbox):
    florida = add(sandbox, "departments", "Florida")
    add(sandbox, "terms", "15th", day_of_month=15, next_month_within=10)
    give_terms(sandbox, "15th")
    runtime = with_settings(qbo_runtime, qbo_due_date_from_terms=True, qbo_location_from="Miami=Florida,New York=NY")
    invoice_id = sent_invoice(runtime)
    assert settle(runtime, invoice_id) == "S", stored(runtime, invoice_id).last_error
    [bill] = sandbox.bills()
    assert (bill["DepartmentRef"]["value"], bill["DueDate"]) == (florida["Id"], "2026-12-15")


@pytest.mark.parametrize(
    "settings, says",
    [
        ({"qbo_ap_account": "A/P Imports"}, "no active Accounts Payable account named 'A/P Imports'"),
        ({"qbo_location_from": "class"}, "no active location named 'Miami' (QBO_LOCATION_FROM): create it"),
        ({"qbo_location_from": "New York=NY"}, "QBO_LOCATION_FROM names no location for the class 'Miami'"),
    ],
    ids=["ap-account", "location", "unmapped-class"],
)
def test_a_missing_reference_fails_before_any_write_and_a_retry_after_creating_it_works(
    qbo_runtime, sandbox, settings, says
):
    runtime = with_settings(qbo_runtime, **settings)
    invoice_id = sent_invoice(runtime)
    assert settle(runtime, invoice_id) == "F"
    assert says in stored(runtime, invoice_id).last_error and sandbox.bills() == []
    if "qbo_ap_account" in settings:
        add(sandbox, "accounts", "A/P Imports", account_type="Accounts Payable")
    elif settings["qbo_location_from"] == "class":
        add(sandbox, "departments", "Miami")
    else:
        return  # only the setting can be corrected
    assert act(runtime, invoice_id, Action.RETRY, AP).changed
    assert settle(runtime, invoice_id) == "S", stored(runtime, invoice_id).last_error


def test_terms_made_inactive_fail_naming_them(qbo_runtime, sandbox):
    term = add(sandbox, "terms", "Net 45", due_days=45)
    give_terms(sandbox, "Net 45")
    sandbox.control("PATCH", f"/realms/{sandbox.realm}/terms/{term['Id']}", active=False)
    runtime = with_settings(qbo_runtime, qbo_due_date_from_terms=True)
    invoice_id = sent_invoice(runtime)
    assert settle(runtime, invoice_id) == "F"
    error = stored(runtime, invoice_id).last_error
    assert f"vendor {VENDOR!r} has the payment terms 'Net 45', which are inactive" in error
