"""BillPayments as a QBO user makes them: full or partial, by check or credit card, voided or deleted.

Shapes follow the recorded answers in tests/sandbox/recorded/qbo/ (billpayment.source.md, bill.source.md):
- a BillPayment has PayType "Check" + CheckPayment {BankAccountRef, PrintStatus} or PayType "CreditCard" +
  CreditCardPayment {CCAccountRef}, and Line[{Amount, LinkedTxn[{TxnId, TxnType: "Bill"}]}] naming the Bill it
  pays (ruckus/quickbooks-ruby spec/fixtures/bill_payment_check_response.xml, bill_payment_cc_response.xml);
- the paid Bill lists it in LinkedTxn as TxnType "BillPaymentCheck" whatever the PayType: Intuit's TxnTypeEnum has
  no credit-card variant, and quickbooks-ruby's recorded CDC answer links a CreditCard payment as BillPaymentCheck;
  its Balance falls by the amount paid, and its LastUpdatedTime moves with the payment's (same recording);
- a void keeps the BillPayment with its amounts zeroed, its lines cleared and "Voided" put before its PrivateNote
  (Intuit's BillPayment reference, "void a billpayment": operation=update&include=void; cloud-elements' QBO example
  answer shows totalAmt 0 and privateNote "Voided - RC 93"), so the Bill's balance is restored;
- webhooks: BillPayment Create/Update/Delete/Void, Bill Create/Update/Delete and no Bill Void (Intuit's
  "entities and operations that support webhooks" table, webhooks.source.md).
"""

import copy
import time
from decimal import Decimal

from flask import Blueprint, current_app, jsonify, request

from .faults import QboFault, not_found
from .wire import company_date, meta_time, reply

PAY_TYPES = {
    "Check": ("CheckPayment", {"BankAccountRef": {"value": "35", "name": "Checking"}, "PrintStatus": "NotSet"}),
    "CreditCard": ("CreditCardPayment", {"CCAccountRef": {"value": "41", "name": "Mastercard"}}),
}
LINKED_AS = "BillPaymentCheck"

payment_control = Blueprint("qbo_payment_control", __name__, url_prefix="/_sandbox")


def _touch(record, ts):
    record["SyncToken"] = str(int(record["SyncToken"]) + 1)
    record["MetaData"]["LastUpdatedTime"] = meta_time(ts)


def _rebalance(realm, bill_id, ts):
    """Recompute a Bill's Balance and LinkedTxn from the live, unvoided payments that pay it."""
    bill = realm.bills.get(bill_id)
    if bill is None:
        return []
    paying = [
        (p["Id"], line["Amount"])
        for p in realm.payments.values()
        for line in p.get("Line", [])
        if any(t["TxnId"] == bill_id and t["TxnType"] == "Bill" for t in line.get("LinkedTxn", []))
    ]
    paid = sum((amount for _, amount in paying), Decimal("0"))
    realm.paid[bill_id] = paid
    bill["Balance"] = bill["TotalAmt"] - paid
    others = [t for t in bill.get("LinkedTxn", []) if t.get("TxnType") != LINKED_AS]
    bill["LinkedTxn"] = others + [{"TxnId": pid, "TxnType": LINKED_AS} for pid, _ in paying]
    if not bill["LinkedTxn"]:
        del bill["LinkedTxn"]
    _touch(bill, ts)
    realm.changed[("Bill", bill_id)] = ts
    return [("Bill", bill_id, "Update", ts)]


def pay(realm, bill_id, amount=None, pay_type="Check"):
    """Pay `amount` (default: the whole balance) of a Bill with a new BillPayment; returns (payment, events)."""
    bill = realm.bills.get(str(bill_id))
    if bill is None:
        raise not_found("Bill", bill_id)
    if pay_type not in PAY_TYPES:
        raise ValueError(f"pay_type must be one of {', '.join(PAY_TYPES)}")
    amount = bill["Balance"] if amount is None else Decimal(str(amount))
    if not Decimal("0") < amount <= bill["Balance"]:
        # Wording ours: QBO's form does not let a user pay more than the open balance.
        raise QboFault(
            400,
            6000,
            "A business validation error has occurred while processing your request",
            f"Business Validation Error: the payment of {amount} exceeds the Bill's open balance "
            f"{bill['Balance']} (or is not positive)",
        )
    ts = time.time()
    payment_id = realm.new_id()
    key, account = PAY_TYPES[pay_type]
    realm.payments[payment_id] = {
        "domain": "QBO",
        "sparse": False,
        "Id": payment_id,
        "SyncToken": "0",
        "MetaData": {"CreateTime": meta_time(ts), "LastUpdatedTime": meta_time(ts)},
        "TxnDate": company_date(ts),
        "VendorRef": dict(bill["VendorRef"]),
        "PayType": pay_type,
        key: copy.deepcopy(account),
        "TotalAmt": amount,
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}],
    }
    realm.changed[("BillPayment", payment_id)] = ts
    changes = [("BillPayment", payment_id, "Create", ts), *_rebalance(realm, bill["Id"], ts)]
    return realm.payments[payment_id], changes


def _paid_bills(payment):
    return sorted(
        {
            t["TxnId"]
            for line in payment.get("Line", [])
            for t in line.get("LinkedTxn", [])
            if t.get("TxnType") == "Bill"
        }
    )


def void(realm, payment_id):
    """Void a BillPayment: kept, amounts zeroed, lines cleared, "Voided" noted; its Bills' balances restored."""
    payment = realm.payments.get(str(payment_id))
    if payment is None:
        raise not_found("BillPayment", payment_id)
    ts = time.time()
    bills = _paid_bills(payment)
    note = payment.get("PrivateNote")
    payment.update({"TotalAmt": Decimal("0"), "Line": [], "PrivateNote": f"Voided - {note}" if note else "Voided"})
    _touch(payment, ts)
    realm.changed[("BillPayment", payment["Id"])] = ts
    changes = [("BillPayment", payment["Id"], "Void", ts)]
    for bill_id in bills:
        changes += _rebalance(realm, bill_id, ts)
    return payment, changes


def delete(realm, payment_id):
    """Delete a BillPayment (CDC then reports it as a Deleted stub); its Bills' balances restored."""
    payment = realm.payments.pop(str(payment_id), None)
    if payment is None:
        raise not_found("BillPayment", payment_id)
    ts = time.time()
    realm.deleted[payment["Id"]] = ts
    realm.changed[("BillPayment", payment["Id"])] = ts
    changes = [("BillPayment", payment["Id"], "Delete", ts)]
    for bill_id in _paid_bills(payment):
        changes += _rebalance(realm, bill_id, ts)
    return {"status": "Deleted", "domain": "QBO", "Id": payment["Id"]}, changes


def _apply(realm_id, operation, *args):
    sandbox = current_app.extensions["qbo_sandbox"]
    store = sandbox.store
    with store.lock:
        realm = store.realm(store.settings.realm_id if realm_id == "default" else realm_id)
        if realm is None:
            raise QboFault(404, 610, "Object Not Found", f"No company {realm_id}")
        result, changes = operation(realm, *args)
        result = copy.deepcopy(result)
    sandbox.notifier.publish(realm.id, changes)
    return result


@payment_control.errorhandler(QboFault)
def _fault(fault):
    return fault.response()


@payment_control.errorhandler(ValueError)
def _bad_value(exc):
    return jsonify({"error": str(exc)}), 400


@payment_control.post("/realms/<realm_id>/bills/<bill_id>/pay")
def pay_bill(realm_id, bill_id):
    """Pay a Bill as a QBO user would: {"amount": "500.00", "pay_type": "Check|CreditCard"}, both optional."""
    body = request.get_json(silent=True, force=True) or {}
    return reply({"BillPayment": _apply(realm_id, pay, bill_id, body.get("amount"), body.get("pay_type", "Check"))})


@payment_control.post("/realms/<realm_id>/payments/<payment_id>/void")
def void_payment(realm_id, payment_id):
    """Void a BillPayment as a QBO user would."""
    return reply({"BillPayment": _apply(realm_id, void, payment_id)})


@payment_control.delete("/realms/<realm_id>/payments/<payment_id>")
def delete_payment(realm_id, payment_id):
    """Delete a BillPayment as a QBO user would."""
    return reply({"BillPayment": _apply(realm_id, delete, payment_id)})
