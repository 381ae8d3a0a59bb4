"""The accounting fields' references found in the company's lists (read whole and cached by qbo.references, so no
name, ASCII or not, goes into a query): the A/P account, the location (Department) and a vendor's terms."""

from invoices.accounting import Terms
from qbo.references import References

# Intuit's Bill reference: APAccountRef "must have Account.Classification set to Liability and
# Account.AccountSubType set to AccountsPayable", i.e. AccountType 'Accounts Payable'.
PAYABLE = "where AccountType = 'Accounts Payable'"


def named(rows: list[dict], name: str) -> str | None:
    """The Id of the row whose Name, or else FullyQualifiedName ("Parent:Child"), is exactly `name`."""
    for key in ("Name", "FullyQualifiedName"):
        found = next((str(row["Id"]) for row in rows if row.get(key) == name), None)
        if found is not None:
            return found
    return None


def account_id(references: References, name: str) -> str | None:
    """The Id of the active Accounts Payable account named `name`, else None."""
    return named(references.listed("Account", PAYABLE), name)


def department_id(references: References, name: str) -> str | None:
    """The Id of the active location named `name`, else None."""
    return named(references.listed("Department"), name)


def vendor_terms(references: References, vendor: dict) -> Terms | None:
    """The Terms of a vendor as `References.vendor` found it ({"terms": "3", "terms_name": "Net 30"}), else None;
    terms the list of active ones lacks come back with active False."""
    term_id = vendor.get("terms")
    if not term_id:
        return None
    row = next((row for row in references.listed("Term") if str(row.get("Id")) == str(term_id)), None)
    if row is None:
        return Terms(str(term_id), vendor.get("terms_name") or f"Id {term_id}", active=False)
    date_driven = row.get("Type") == "DATE_DRIVEN"
    return Terms(
        str(term_id),
        row.get("Name") or "",
        due_days=None if date_driven else int(row.get("DueDays") or 0),
        day_of_month=int(row.get("DayOfMonthDue") or 1) if date_driven else None,
        next_month_within=int(row.get("DueNextMonthDays") or 0),
    )
