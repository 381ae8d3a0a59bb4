"""What a company's books allow a Bill (docs/quickbooks.md): its closing date and its currencies."""

from dataclasses import dataclass
from datetime import date, timedelta

BLOCK = "block"
NEXT_OPEN_DAY = "next_open_day"


@dataclass(frozen=True)
class CompanyBooks:
    """The QuickBooks preferences a Bill depends on; `close_date` None means no period is closed."""

    close_date: date | None = None
    multicurrency: bool = False
    home_currency: str | None = None
    classes: bool = False
    # "Warn if duplicate bill number is used" (Preferences.OtherPrefs WarnDuplicateBillNumber): QuickBooks itself then
    # refuses a Bill whose DocNumber another Bill of its vendor has, with code 6140 (docs/quickbooks.md).
    duplicate_numbers_refused: bool = False


@dataclass(frozen=True)
class Dating:
    """The TxnDate a Bill gets and, when it is not the invoice's own date, the note saying why."""

    txn_date: date
    note: str | None = None


def closed_through(books: CompanyBooks, txn_date: date) -> bool:
    """Whether `txn_date` falls on or before the books' closing date, where QuickBooks refuses a Bill."""
    return books.close_date is not None and txn_date <= books.close_date


def dating(books: CompanyBooks, txn_date: date, policy: str) -> Dating | str:
    """The Bill's dating under CLOSED_BOOKS `policy`, or the problem that keeps it from being sent."""
    if not closed_through(books, txn_date):
        return Dating(txn_date)
    if policy == NEXT_OPEN_DAY and books.close_date >= date.max:
        # No day follows 9999-12-31 (Python's date.max): every date is closed, which only a person can change.
        return (
            f"the QuickBooks books are closed through {books.close_date.isoformat()}, so no later day is open for "
            f"the ship date {txn_date.isoformat()}: correct the close date in QuickBooks (Settings, Account and "
            f"settings, Advanced, Close the books), then Retry"
        )
    if policy == NEXT_OPEN_DAY:
        open_day = books.close_date + timedelta(days=1)
        return Dating(open_day, redated_note(txn_date, open_day))
    return (
        f"the QuickBooks books are closed through {books.close_date.isoformat()} and the ship date is "
        f"{txn_date.isoformat()}: reopen the period in QuickBooks (or set CLOSED_BOOKS=next_open_day to date "
        f"such Bills the day after the close date), then Retry"
    )


def redated_note(ship_date: date, txn_date: date) -> str:
    """The sentence on a Bill (and in the thread) dated after a closed period instead of its ship date."""
    closed = txn_date - timedelta(days=1)
    return (
        f"Dated {txn_date.isoformat()}, the day after the books' close date {closed.isoformat()}, "
        f"instead of the ship date {ship_date.isoformat()}."
    )


def currency_problem(books: CompanyBooks, currency: str, vendor_currency: str | None, vendor: str) -> str | None:
    """Why a Bill in `currency` cannot be booked for `vendor` in this company, naming both currencies; else None."""
    if books.multicurrency:
        if vendor_currency and vendor_currency != currency:
            return (
                f"the invoice is in {currency} but the QuickBooks vendor {vendor!r} is in {vendor_currency} "
                f"(a vendor's currency is fixed in QuickBooks): use a vendor in {currency} or have the invoice "
                f"issued in {vendor_currency}, then Retry"
            )
        return None
    if books.home_currency and books.home_currency != currency:
        return (
            f"the invoice is in {currency} but this QuickBooks company keeps its books in {books.home_currency} "
            f"only (multicurrency is off): turn on multicurrency in QuickBooks or have the invoice issued in "
            f"{books.home_currency}, then Retry"
        )
    return None
