"""The Bill request body QuickBooks receives for a drafted Bill and resolved references."""

from invoices.bill import BillDraft

LINE_DETAIL = "ItemBasedExpenseLineDetail"


def bill_body(draft: BillDraft, vendor_id: str, item_id: str, class_id: str | None) -> dict:
    """The JSON body of POST /bill, amounts as Decimal, e.g. {"VendorRef": {"value": "101"}, "Line": [...]}."""
    lines = []
    for line in draft.lines:
        detail: dict = {"ItemRef": {"value": item_id}}
        if line.qty is not None:
            detail.update(Qty=line.qty, UnitPrice=line.unit_price)
        if class_id:
            detail["ClassRef"] = {"value": class_id}
        lines.append({"Amount": line.amount, "Description": line.description[:4000],
                      "DetailType": LINE_DETAIL, LINE_DETAIL: detail})
    return {
        "VendorRef": {"value": vendor_id},
        "DocNumber": draft.doc_number,
        "TxnDate": draft.txn_date.isoformat(),
        "PrivateNote": draft.private_note,
        "Line": lines,
    }
