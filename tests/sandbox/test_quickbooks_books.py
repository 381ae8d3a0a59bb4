"""The QBO sandbox's closed books and currencies, through the real python-quickbooks, in the recorded shapes."""

import json
from pathlib import Path

import pytest
import requests
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.base import Ref

from tests.sandbox.quickbooks_client import make_bill

RECORDED = Path(__file__).parent / "recorded" / "qbo"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


def preferences(qb) -> dict:
    return qb.get(f"{qb.api_url}/company/{qb.company_id}/preferences")["Preferences"]


def set_books(sandbox, **values):
    return sandbox.control("POST", f"/realms/{sandbox.realm}/preferences", **values)


def currency(code: str) -> Ref:
    ref = Ref()
    ref.value = code
    return ref


def test_open_books_have_no_book_close_date_and_a_closed_period_shows_it_as_intuit_does(sandbox, qb):
    assert "BookCloseDate" not in preferences(qb)["AccountingInfoPrefs"]
    set_books(sandbox, book_close_date="2026-10-31")
    prefs, sample = preferences(qb), recorded("preferences_book_close_date.json")["Preferences"]
    assert prefs["AccountingInfoPrefs"]["BookCloseDate"] == "2026-10-31"
    assert prefs["CurrencyPrefs"] == sample["CurrencyPrefs"]


def test_a_bill_dated_on_the_close_date_is_refused_with_the_recorded_5010_and_the_next_day_is_booked(sandbox, qb):
    set_books(sandbox, book_close_date="2026-11-20")
    with pytest.raises(QuickbooksException) as refused:
        make_bill(qb).save(qb=qb)
    [error] = recorded("fault_400_closed_books_5010.json")["Fault"]["Error"]
    assert (refused.value.error_code, refused.value.message, refused.value.detail) == (
        int(error["code"]),
        error["Message"],
        error["Detail"],
    )
    assert sandbox.bills() == []
    bill = make_bill(qb)
    bill.TxnDate = "2026-11-21"
    assert bill.save(qb=qb).TxnDate == "2026-11-21"


def test_a_multicurrency_company_books_a_bill_in_its_vendors_currency_and_refuses_another(sandbox, qb):
    set_books(sandbox, multicurrency_enabled=True)
    vendor = sandbox.control("POST", f"/realms/{sandbox.realm}/vendors", name="Blumen GmbH", currency="EUR")
    assert vendor["CurrencyRef"] == {"value": "EUR", "name": "Euro"}
    assert preferences(qb)["CurrencyPrefs"] == {"MultiCurrencyEnabled": True, "HomeCurrency": {"value": "USD"}}
    in_dollars = make_bill(qb, vendor="Blumen GmbH")
    in_dollars.CurrencyRef = currency("USD")
    with pytest.raises(QuickbooksException) as refused:
        in_dollars.save(qb=qb)
    assert (refused.value.error_code, refused.value.detail) == (
        6000,
        "Business Validation Error: Transactions can have only one foreign currency at a time.",
    )
    assert sandbox.bills() == []
    unnamed = make_bill(qb, vendor="Blumen GmbH", doc_number="100482-FE-1")
    assert unnamed.save(qb=qb).CurrencyRef.value == "EUR"
    named = make_bill(qb, vendor="Blumen GmbH", doc_number="100482-FE-2")
    named.CurrencyRef = currency("EUR")
    assert named.save(qb=qb).CurrencyRef.value == "EUR"


def test_a_single_currency_company_has_no_foreign_vendors_and_refuses_a_bill_in_another_currency(sandbox, qb):
    response = requests.post(
        f"{sandbox.base}/_sandbox/realms/{sandbox.realm}/vendors",
        json={"name": "Blumen GmbH", "currency": "EUR"},
        timeout=10,
    )
    assert response.status_code == 400 and "multicurrency" in response.json()["error"]
    bill = make_bill(qb)
    bill.CurrencyRef = currency("EUR")
    with pytest.raises(QuickbooksException) as refused:
        bill.save(qb=qb)
    assert refused.value.error_code == 6000
