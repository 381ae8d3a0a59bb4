"""The Bill's accounting fields resolved before any write (invoices.accounting), each only when configured."""

from datetime import date

from invoices.accounting import due_date, inactive_terms, no_ap_account, no_location
from invoices.bill import BillDraft
from services.ports import QuickBooks


def accounting_refs(gateway: QuickBooks, draft: BillDraft, txn_date: date) -> tuple[dict, list[str]]:
    """(BillRefs' accounting fields, e.g. {"ap_account_id": "33"}, what QuickBooks lacks) for a Bill of `txn_date`."""
    found: dict = {}
    problems: list[str] = []
    if draft.ap_account:
        found["ap_account_id"] = gateway.account_id(draft.ap_account)
        problems += [] if found["ap_account_id"] else [no_ap_account(draft.ap_account)]
    if draft.location:
        found["department_id"] = gateway.department_id(draft.location)
        problems += [] if found["department_id"] else [no_location(draft.location)]
    terms = gateway.vendor_terms(draft.vendor_name) if draft.due_from_terms and draft.vendor_name else None
    if terms is not None and not terms.active:
        problems.append(inactive_terms(draft.vendor_name, terms))
    elif terms is not None:  # a vendor without terms gets no DueDate: QuickBooks' own rule then dates it
        found.update(term_id=terms.id, due_date=due_date(txn_date, terms))
    if problems:  # the person creates what is missing, then Retries: the lists are read again, not in 5 minutes
        gateway.forget_references()
    return found, problems
