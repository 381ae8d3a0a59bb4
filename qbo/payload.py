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
        lines.append({"Amount": line.amount, "Description": line.description[:4000],
                      "DetailType": LINE_DETAIL, LINE_DETAIL: detail})
    return {
        "VendorRef": {"value": refs.vendor_id},
        "DocNumber": draft.doc_number,
        "TxnDate": draft.txn_date.isoformat(),
        "PrivateNote": draft.private_note,
        "Line": lines,
    }
