"""Currency rules (docs/quickbooks.md) against the QuickBooks sandbox, through the real python-quickbooks."""

import json

import pytest
from quickbooks.client import QuickBooks

from tests.builders import sent_invoice, settle, stored

EURO_VENDOR = "Blumen GmbH"


def multicurrency(sandbox) -> None:
    sandbox.control("POST", f"/realms/{sandbox.realm}/preferences", multicurrency_enabled=True)
    sandbox.control("POST", f"/realms/{sandbox.realm}/vendors", name=EURO_VENDOR, currency="EUR")


def paying(vendor: str, currency: str) -> dict:
    return {"vendor": {"qb_accounting_name": vendor}, "invoice": {"currency": currency}}


@pytest.fixture
def created_bodies(monkeypatch):
    """The Bill bodies python-quickbooks sends to QuickBooks, as sent."""
    sent, create = [], QuickBooks.create_object

    def recording(self, qbbo, request_body, *args, **kwargs):
        sent.append(json.loads(request_body))
        return create(self, qbbo, request_body, *args, **kwargs)

    monkeypatch.setattr(QuickBooks, "create_object", recording)
    return sent


def test_a_usd_invoice_of_a_eur_vendor_in_a_multicurrency_company_fails_naming_both_and_books_nothing(
    qbo_runtime, sandbox, created_bodies
):
    multicurrency(sandbox)
    invoice_id = sent_invoice(qbo_runtime, **paying(EURO_VENDOR, "USD"))
    assert settle(qbo_runtime, invoice_id) == "F"
    error = stored(qbo_runtime, invoice_id).last_error
    assert f"The invoice is in USD but the QuickBooks vendor {EURO_VENDOR!r} is in EUR" in error
    assert sandbox.bills() == [] and created_bodies == []


def test_a_matching_invoice_in_a_multicurrency_company_is_sent_with_its_currency_ref(
    qbo_runtime, sandbox, created_bodies
):
    multicurrency(sandbox)
    invoice_id = sent_invoice(qbo_runtime, **paying(EURO_VENDOR, "EUR"))
    assert settle(qbo_runtime, invoice_id) == "S"
    [body] = created_bodies
    assert body["CurrencyRef"] == {"value": "EUR"}
    [bill] = sandbox.bills()
    assert bill["CurrencyRef"]["value"] == "EUR" and bill["Id"] == stored(qbo_runtime, invoice_id).bill_id


def test_a_home_currency_invoice_in_a_multicurrency_company_names_its_currency_too(
    qbo_runtime, sandbox, created_bodies
):
    multicurrency(sandbox)
    invoice_id = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, invoice_id) == "S"
    assert [body["CurrencyRef"] for body in created_bodies] == [{"value": "USD"}]


def test_a_single_currency_company_sends_no_currency_ref_and_refuses_an_invoice_in_another_currency(
    qbo_runtime, sandbox, created_bodies
):
    euro = sent_invoice(qbo_runtime, invoice={"currency": "EUR", "number": "FE-1"})
    assert settle(qbo_runtime, euro) == "F"
    assert (
        "The invoice is in EUR but this QuickBooks company keeps its books in USD only"
        in stored(qbo_runtime, euro).last_error
    )
    assert sandbox.bills() == [] and created_bodies == []
    dollars = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, dollars) == "S"
    [body] = created_bodies
    assert "CurrencyRef" not in body
