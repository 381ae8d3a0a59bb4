"""python-quickbooks and intuitlib pointed at the QuickBooks sandbox, and the example Bill (one, or many by /batch)."""

import json
from decimal import Decimal

from intuitlib.client import AuthClient
from quickbooks import QuickBooks
from quickbooks.objects.bill import Bill
from quickbooks.objects.detailline import (
    ItemBasedExpenseLine,
    ItemBasedExpenseLineDetail,
)
from quickbooks.objects.item import Item
from quickbooks.objects.trackingclass import Class
from quickbooks.objects.vendor import Vendor

from tests.sandboxes import QboSandbox

CLIENT_ID, CLIENT_SECRET, REDIRECT = "sandbox-client-id", "sandbox-client-secret", "http://localhost/callback"


def auth_client(sandbox: QboSandbox) -> AuthClient:
    """intuitlib's client, discovering the sandbox's OAuth endpoints."""
    return AuthClient(
        CLIENT_ID, CLIENT_SECRET, REDIRECT, environment=f"{sandbox.base}/.well-known/openid-configuration"
    )


def qb_client(sandbox: QboSandbox) -> QuickBooks:
    """python-quickbooks' client on the sandbox's default company, with a fresh bootstrap refresh token."""
    refresh = sandbox.control("POST", f"/realms/{sandbox.realm}/tokens")["refresh_token"]
    qb = QuickBooks(
        auth_client=auth_client(sandbox),
        refresh_token=refresh,
        company_id=sandbox.realm,
        minorversion=75,
        use_decimal=True,
    )
    qb.api_url_v3 = f"{sandbox.base}/v3"
    return qb


def make_bill(qb: QuickBooks, doc_number="100482-FE-20931", vendor="Flores de la Sabana SAS", lines=None):
    """A Bill of the example invoice (three lines) for `vendor`, not yet saved."""
    vendor_ref = Vendor.filter(DisplayName=vendor, qb=qb)[0].to_ref()
    item_ref = Item.filter(Name="Fresh Cut Flowers", qb=qb)[0].to_ref()
    class_ref = Class.filter(Name="Miami", qb=qb)[0].to_ref()
    bill = Bill()
    bill.VendorRef, bill.DocNumber, bill.TxnDate = vendor_ref, doc_number, "2026-11-20"
    for amount, qty, price in lines or [("384.00", 1200, "0.3200"), ("675.00", 2500, "0.2700"), ("34.50", None, None)]:
        detail = ItemBasedExpenseLineDetail()
        detail.ItemRef, detail.ClassRef = item_ref, class_ref
        detail.Qty, detail.UnitPrice = qty, Decimal(price) if price else None
        line = ItemBasedExpenseLine()
        line.Amount, line.Description, line.ItemBasedExpenseLineDetail = Decimal(amount), "Roses", detail
        bill.Line.append(line)
    return bill


def many_bills(qb, count: int, prefix: str = "CDC") -> list[str]:
    """Create `count` Bills through /batch, 30 a request; answers their ids in creation order."""
    body = json.loads(make_bill(qb).to_json())
    ids = []
    for start in range(0, count, 30):
        items = [
            {"bId": str(n), "operation": "create", "Bill": {**body, "DocNumber": f"{prefix}-{start + n}"}}
            for n in range(min(30, count - start))
        ]
        answer = qb.post(f"{qb.api_url}/company/{qb.company_id}/batch", json.dumps({"BatchItemRequest": items}))
        ids += [item["Bill"]["Id"] for item in answer["BatchItemResponse"]]
    return ids
