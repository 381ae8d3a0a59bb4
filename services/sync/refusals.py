"""QuickBooks' refusals of a Bill create, told in terms of the invoice a person can fix."""

from invoices.bill import BillDraft
from invoices.numbering import too_long
from services.ports import QboPermanent

# 6210 is "Account Period Closed" in Intuit's index, not a duplicate (docs/quickbooks.md): see QboBooksClosed.
DUPLICATE_CODES = {6140}
INVALID_REFERENCE = 2500
INACTIVE_REFERENCE = 610  # "Object Not Found: Something you're trying to use has been made inactive"
TOO_LONG = 2050


def explain(error: QboPermanent, draft: BillDraft, item_name: str) -> str:
    """QuickBooks' refusal of a Bill create, told in terms of the invoice a person can fix."""
    bill = f"Bill {draft.doc_number} of vendor {draft.vendor_name!r}"
    if error.code == TOO_LONG:
        return f"QuickBooks refused {bill}: {_too_long(error, draft)}; shorten it, then Retry"
    if error.code in DUPLICATE_CODES:
        return (
            f"QuickBooks refused {bill}: that Bill number is already used by a Bill not created by "
            f"invoice-sync ({error.detail}); resolve it in QuickBooks, then Retry"
        )
    if error.code in (INVALID_REFERENCE, INACTIVE_REFERENCE):
        said = "a reference is invalid" if error.code == INVALID_REFERENCE else "something it names is inactive"
        return (
            f"QuickBooks refused {bill}: {said} ({error.detail}); check that the vendor, "
            f"the item {item_name!r} and the class {draft.class_name!r} exist and are active, then Retry"
        )
    return f"QuickBooks refused {bill} (code {error.code}): {error.detail or error}; correct it, then Retry"


def _too_long(error: QboPermanent, draft: BillDraft) -> str:
    """2050 is any field's length (QBO names it in `element`); the Bill number keeps preflight's wording."""
    said = error.detail or str(error)
    number = too_long(draft.doc_number)
    if error.element == "DocNumber" and number:
        return f"{number} (QuickBooks: {said})"
    field = f"the field {error.element}" if error.element else "a field QuickBooks did not name"
    return f"{field} is longer than QuickBooks allows (QuickBooks: {said})"
