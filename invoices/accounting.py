"""A Bill's accounting fields, each off unless configured: the A/P account (QBO_AP_ACCOUNT), the due date from the
vendor's terms (QBO_DUE_DATE_FROM_TERMS) and the location (QBO_LOCATION_FROM), and what to do when QuickBooks lacks
what they name. Intuit's Bill reference: APAccountRef must name a Liability account of subtype AccountsPayable;
DepartmentRef is a location ("Available if Preferences.AccountingInfoPrefs.TrackDepartments is set to true"); the
Term reference: a STANDARD term is due DueDays after the transaction date, a DATE_DRIVEN one on DayOfMonthDue, the
next month when the transaction falls within DueNextMonthDays of that day.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

FROM_CLASS = "class"


@dataclass(frozen=True)
class AccountingPolicy:
    """The accounting fields' settings, built once: nothing set means QuickBooks' own defaults for each."""

    ap_account: str | None = None
    due_from_terms: bool = False
    # QBO_LOCATION_FROM: "class" (the location named like the Bill's class), or class → location pairs.
    location_from_class: bool = False
    locations: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, ap_account: str | None, due_from_terms: bool, location_from: str | None) -> "AccountingPolicy":
        """The policy of the three settings, e.g. of("Accounts Payable (A/P)", True, "Miami=Florida,New York=NY")."""
        from_class, pairs = parse_location_from(location_from)
        return cls((ap_account or "").strip() or None, due_from_terms, from_class, pairs)

    def location(self, class_name: str | None) -> tuple[str | None, str | None]:
        """(the location a Bill of `class_name` is booked in, or why it cannot be known); (None, None) when off."""
        if self.location_from_class:
            return class_name, None
        if not self.locations or not class_name:
            return None, None
        found = dict(self.locations).get(class_name)
        if found is None:
            listed = ", ".join(name for name, _ in self.locations)
            return None, (
                f"QBO_LOCATION_FROM names no location for the class {class_name!r} (it maps {listed}): add "
                f"'{class_name}=<QuickBooks location>' to it"
            )
        return found, None


def parse_location_from(text: str | None) -> tuple[bool, tuple[tuple[str, str], ...]]:
    """QBO_LOCATION_FROM read: "class" → (True, ()); "Miami=Florida, New York=NY" → (False, pairs); else ValueError."""
    text = (text or "").strip()
    if not text:
        return False, ()
    if text.lower() == FROM_CLASS:
        return True, ()
    pairs = []
    for part in text.split(","):
        name, equals, location = part.partition("=")
        if not equals or not name.strip() or not location.strip():
            raise ValueError(f"must be 'class' or 'Class=Location' pairs separated by commas, not {part.strip()!r}")
        pairs.append((name.strip(), location.strip()))
    if len({name for name, _ in pairs}) != len(pairs):
        raise ValueError("names a class twice")
    return False, tuple(pairs)


@dataclass(frozen=True)
class Terms:
    """A vendor's payment terms in QuickBooks (its TermRef's Term); `active` False when the term is gone or inactive."""

    id: str
    name: str
    due_days: int | None = None
    day_of_month: int | None = None
    next_month_within: int = 0
    active: bool = True


def due_date(txn_date: date, terms: Terms) -> date:
    """When a Bill dated `txn_date` is due under `terms`, e.g. Net 30 on 2026-11-20 → 2026-12-20."""
    if terms.day_of_month is None:
        return txn_date + timedelta(days=terms.due_days or 0)
    due = _on_day(txn_date.year, txn_date.month, terms.day_of_month)
    if due < txn_date or (due - txn_date).days < terms.next_month_within:
        year, month = (txn_date.year + 1, 1) if txn_date.month == 12 else (txn_date.year, txn_date.month + 1)
        due = _on_day(year, month, terms.day_of_month)
    return due


def _on_day(year: int, month: int, day: int) -> date:
    # Day 31 in a 30-day month is its last day, as QuickBooks' date-driven terms fall.
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def no_ap_account(name: str) -> str:
    """Why a Bill cannot be credited to A/P account `name`, and what to create."""
    return (
        f"QuickBooks has no active Accounts Payable account named {name!r} (QBO_AP_ACCOUNT): create it in "
        f"QuickBooks (Chart of accounts, New, type Accounts payable (A/P)) or correct QBO_AP_ACCOUNT"
    )


def no_location(name: str) -> str:
    """Why a Bill cannot be booked in location `name`, and what to create."""
    return (
        f"QuickBooks has no active location named {name!r} (QBO_LOCATION_FROM): create it in QuickBooks (turn on "
        f"Track locations in Settings, Advanced, Categories, then add it under Locations) or correct QBO_LOCATION_FROM"
    )


def inactive_terms(vendor: str, terms: Terms) -> str:
    """Why no due date can be read from a vendor's terms that QuickBooks no longer has active."""
    return (
        f"The QuickBooks vendor {vendor!r} has the payment terms {terms.name!r}, which are inactive or gone "
        f"(QBO_DUE_DATE_FROM_TERMS): make them active again or give the vendor other terms in QuickBooks"
    )
