"""Closed books and currencies: the domain's rules and the exactly-once core's preflight and refusal handling."""

import json
from datetime import date
from pathlib import Path

import pytest
from quickbooks.exceptions import QuickbooksException

from invoices.books import BLOCK, NEXT_OPEN_DAY, CompanyBooks, Dating, currency_problem, dating
from qbo.errors import classify
from qbo.payload import bill_body
from services.ports import BillRefs, QboPermanent
from services.sync.exactly_once import find_or_create, prepared, request_id
from tests.unit.drafts import ITEM, VENDOR, draft
from tests.unit.fakes import FakeQuickBooks

SHIPPED = date(2026, 11, 20)
RECORDED = Path(__file__).parents[1] / "sandbox" / "recorded" / "qbo"


class Company(FakeQuickBooks):
    """The fake company with given books and vendor currency."""

    def __init__(self, books: CompanyBooks, vendor_currency: str = "USD"):
        super().__init__()
        self._books, self._currency = books, vendor_currency

    def books(self) -> CompanyBooks:
        self._enter("books", None)
        return self._books

    def vendor_currency(self, display_name: str) -> str | None:
        self._enter("vendor_currency", display_name)
        return self._currency


@pytest.mark.parametrize(
    "close, policy, expected",
    [
        (None, BLOCK, Dating(SHIPPED)),
        (date(2026, 11, 19), BLOCK, Dating(SHIPPED)),
        (
            date(2026, 11, 20),
            NEXT_OPEN_DAY,
            Dating(
                date(2026, 11, 21),
                "Dated 2026-11-21, the day after the books' "
                "close date 2026-11-20, instead of the ship date 2026-11-20.",
            ),
        ),
    ],
    ids=["open", "closed-the-day-before", "closed-on-the-ship-date-next-open-day"],
)
def test_a_bill_keeps_its_ship_date_unless_the_books_are_closed_through_it(close, policy, expected):
    assert dating(CompanyBooks(close_date=close), SHIPPED, policy) == expected


def test_with_block_a_ship_date_on_the_close_date_is_a_problem_naming_both_dates():
    problem = dating(CompanyBooks(close_date=SHIPPED), SHIPPED, BLOCK)
    assert problem.startswith("the QuickBooks books are closed through 2026-11-20 and the ship date is 2026-11-20")


@pytest.mark.parametrize(
    "books, invoice, vendor, named",
    [
        (CompanyBooks(multicurrency=True, home_currency="USD"), "USD", "EUR", ("USD", "EUR")),
        (CompanyBooks(multicurrency=True, home_currency="USD"), "EUR", "EUR", None),
        (CompanyBooks(home_currency="USD"), "EUR", "USD", ("EUR", "USD")),
        (CompanyBooks(home_currency="USD"), "USD", "USD", None),
    ],
    ids=["multicurrency-mismatch", "multicurrency-match", "single-currency-foreign", "single-currency-home"],
)
def test_a_currency_mismatch_names_both_currencies(books, invoice, vendor, named):
    problem = currency_problem(books, invoice, vendor, VENDOR)
    if named is None:
        assert problem is None
    else:
        assert f"the invoice is in {named[0]}" in problem and f"in {named[1]}" in problem


def test_preflight_refuses_closed_books_and_a_currency_mismatch_together_before_any_write():
    qbo = Company(CompanyBooks(close_date=SHIPPED, multicurrency=True, home_currency="USD"), "EUR")
    with pytest.raises(QboPermanent) as refused:
        prepared(qbo, draft(7, currency="USD"), ITEM)
    assert "closed through 2026-11-20" in str(refused.value) and "is in EUR" in str(refused.value)
    assert qbo.called("create_bill") == []


def test_next_open_day_redates_the_bill_and_notes_it_before_the_trace():
    qbo = Company(CompanyBooks(close_date=SHIPPED, multicurrency=True, home_currency="USD"), "USD")
    the_draft = draft(7, currency="USD")
    refs = prepared(qbo, the_draft, ITEM, NEXT_OPEN_DAY)
    body = bill_body(the_draft, refs)
    assert (body["TxnDate"], body["CurrencyRef"]) == ("2026-11-21", {"value": "USD"})
    assert body["PrivateNote"].startswith("Dated 2026-11-21") and body["PrivateNote"].endswith(the_draft.private_note)


def test_a_single_currency_company_gets_no_currency_ref():
    refs = prepared(Company(CompanyBooks(home_currency="USD")), draft(7, currency="USD"), ITEM)
    assert refs.currency is None and "CurrencyRef" not in bill_body(draft(7), refs)
    assert bill_body(draft(7), BillRefs("1", "2"))["TxnDate"] == "2026-11-20"


@pytest.mark.parametrize(
    "name", ["fault_400_closed_books_5010.json", "fault_400_closed_books_6200.json", "fault_400_closed_books_6210.json"]
)
def test_quickbooks_refusing_a_closed_period_fails_the_invoice_with_that_reason_and_adopts_nothing(name):
    [error] = json.loads((RECORDED / name).read_text())["Fault"]["Error"]
    refusal = classify(QuickbooksException(error["Message"], int(error["code"]), error.get("Detail", "")), 400)
    qbo = Company(CompanyBooks(home_currency="USD"))
    qbo.fail("create_bill", refusal)
    with pytest.raises(QboPermanent) as failed:
        find_or_create(qbo, draft(7, currency="USD"), request_id(7, 1, 1), ITEM)
    assert str(failed.value).startswith("Bill 100482-FE-20931 dated 2026-11-20 was not booked: ")
    assert "books are closed" in str(failed.value) and "already used" not in str(failed.value)
    assert len(qbo.called("find_bills")) == 1, "looked up once before the create, never to adopt after it"
