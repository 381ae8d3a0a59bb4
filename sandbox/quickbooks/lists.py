"""Accounts, terms and locations (Department) of a company: the name lists a Bill's accounting fields refer to.

Shapes follow Intuit's Accounting API reference (developer.intuit.com/app/developer/qbo/docs/api/accounting/
all-entities/account, .../term, .../department): an A/P account has Classification "Liability", AccountType
"Accounts Payable" and AccountSubType "AccountsPayable" (the Bill reference's APAccountRef says it must); a
STANDARD term is due DueDays after the transaction date, a DATE_DRIVEN one on DayOfMonthDue, the next month when
the transaction falls within DueNextMonthDays of that day; a Department is what the product calls a Location
(Preferences.AccountingInfoPrefs.DepartmentTerminology, shown only with TrackDepartments).
"""

import calendar
from datetime import date, timedelta

from .wire import meta_time

# Every new QuickBooks Online company has an A/P account once a bill is entered, and these terms in its list.
DEFAULT_ACCOUNTS = (("Accounts Payable (A/P)", "Accounts Payable"), ("Cost of Goods Sold", "Cost of Goods Sold"))
DEFAULT_TERMS = (("Due on receipt", 0), ("Net 15", 15), ("Net 30", 30), ("Net 60", 60))
# AccountType → (Classification, AccountSubType), from the Account reference's type table.
ACCOUNT_TYPES = {
    "Accounts Payable": ("Liability", "AccountsPayable"),
    "Cost of Goods Sold": ("Expense", "SuppliesMaterialsCogs"),
    "Expense": ("Expense", "OtherMiscellaneousServiceCost"),
    "Bank": ("Asset", "Checking"),
}


def _common(entity_id, name, ts):
    stamp = meta_time(ts)
    return {
        "Id": entity_id,
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "Active": True,
        "Name": name,
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
    }


def account(entity_id, name, ts, account_type="Accounts Payable", currency=None):
    """An Account, e.g. account("33", "Accounts Payable (A/P)", ts) with AccountType "Accounts Payable"."""
    if account_type not in ACCOUNT_TYPES:
        raise ValueError(f"account_type must be one of {', '.join(ACCOUNT_TYPES)}")
    classification, subtype = ACCOUNT_TYPES[account_type]
    record = _common(entity_id, name, ts)
    record.update(
        FullyQualifiedName=name,
        SubAccount=False,
        Classification=classification,
        AccountType=account_type,
        AccountSubType=subtype,
        CurrentBalance=0,
        CurrentBalanceWithSubAccounts=0,
    )
    if currency:
        record["CurrencyRef"] = currency
    return record


def term(entity_id, name, ts, due_days=None, day_of_month=None, next_month_within=None):
    """A Term: STANDARD with `due_days`, or DATE_DRIVEN due on `day_of_month` (next month within N days of it)."""
    record = _common(entity_id, name, ts)
    if day_of_month is not None:
        record.update(Type="DATE_DRIVEN", DayOfMonthDue=int(day_of_month), DueNextMonthDays=int(next_month_within or 0))
        record.update(DiscountDayOfMonth=0, DiscountPercent=0)
    else:
        record.update(Type="STANDARD", DueDays=int(due_days or 0), DiscountDays=0, DiscountPercent=0)
    return record


def department(entity_id, name, ts):
    """A Department (a Location in QuickBooks' screens), e.g. department("1", "Miami", ts)."""
    record = _common(entity_id, name, ts)
    record.update(FullyQualifiedName=name, SubDepartment=False)
    return record


def due_date(term_record, txn_date):
    """The DueDate QuickBooks gives a Bill of `txn_date` (a date) under this Term, when the request has none."""
    if term_record.get("Type") != "DATE_DRIVEN":
        return txn_date + timedelta(days=int(term_record.get("DueDays") or 0))
    day = int(term_record["DayOfMonthDue"])
    due = _on_day(txn_date.year, txn_date.month, day)
    if due < txn_date or (due - txn_date).days < int(term_record.get("DueNextMonthDays") or 0):
        year, month = (txn_date.year + 1, 1) if txn_date.month == 12 else (txn_date.year, txn_date.month + 1)
        due = _on_day(year, month, day)
    return due


def _on_day(year, month, day):
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
