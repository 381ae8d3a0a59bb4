"""The Bill request body QuickBooks receives for a drafted Bill and resolved references."""

from invoices.bill import BillDraft
from services.ports import BillRefs

LINE_DETAIL = "ItemBasedExpenseLineDetail"


def bill_body(draft: BillDraft, refs: BillRefs) -> dict:
    """The JSON body of POST /bill, amounts as Decimal, e.g. {"VendorRef": {"value": "101"}, "Line": [...]}."""
    lines = []
    for line in draft.lines:
        detail: dict = {"ItemRef": {"value": refs.item_id}}
        if line.qty is not None:
            detail.update(Qty=line.qty, UnitPrice=line.unit_price)
        if refs.class_id:
            detail["ClassRef"] = {"value": refs.class_id}
        lines.append(
            {
                "Amount": line.amount,
                "Description": line.description[:4000],
                "DetailType": LINE_DETAIL,
                LINE_DETAIL: detail,
            }
        )
    body = {
        "VendorRef": {"value": refs.vendor_id},
        "DocNumber": draft.doc_number,
        "TxnDate": (refs.txn_date or draft.txn_date).isoformat(),
        # Our trace ends the note (invoices.bill.traced reads the last one); a redating note goes before it.
        "PrivateNote": f"{refs.note} {draft.private_note}" if refs.note else draft.private_note,
        "Line": lines,
    }
    if refs.currency:
        # Multicurrency: without CurrencyRef QBO books the Bill in the vendor's currency whatever it meant.
        body["CurrencyRef"] = {"value": refs.currency}
    # The accounting fields, each only when configured (invoices.accounting); absent, QuickBooks' defaults apply.
    for field, value in (("APAccountRef", refs.ap_account_id), ("DepartmentRef", refs.department_id)):
        if value:
            body[field] = {"value": value}
    if refs.due_date:
        body["SalesTermRef"] = {"value": refs.term_id}
        body["DueDate"] = refs.due_date.isoformat()
    return body
