"""The sandbox's BillPayments and paid Bills in QBO's recorded shapes, read through python-quickbooks (issue 9,
point 8)."""

import json
from decimal import Decimal

import pytest
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import ObjectNotFoundException
from quickbooks.objects.billpayment import BillPayment

from tests.sandbox.quickbooks_client import make_bill

RECORDED = "tests/sandbox/recorded/qbo/"


def recorded(name):
    return json.load(open(RECORDED + name))


def pay(sandbox, bill_id, **body):
    return sandbox.control("POST", f"/realms/{sandbox.realm}/bills/{bill_id}/pay", **body)["BillPayment"]


def raw(qb, entity, entity_id):
    return qb.get_single_object(entity, entity_id)[entity]


def events(sandbox):
    return [(e["entity"], e["operation"]) for e in sandbox.control("GET", "/webhooks/events")["events"]]


@pytest.mark.parametrize("pay_type, account", [("Check", "CheckPayment"), ("CreditCard", "CreditCardPayment")])
def test_a_paid_bill_links_its_payment_as_bill_payment_check_by_check_or_by_card(sandbox, qb, pay_type, account):
    bill = make_bill(qb).save(qb=qb)
    payment = pay(sandbox, bill.Id, pay_type=pay_type)
    paid = raw(qb, "Bill", bill.Id)
    assert paid["Balance"] == 0
    assert paid["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "BillPaymentCheck"}]
    assert {t["TxnType"] for t in recorded("bill_paid.json")["Bill"]["LinkedTxn"]} == {"BillPaymentCheck"}
    read = raw(qb, "BillPayment", payment["Id"])
    shape = recorded(f"billpayment_{pay_type.lower()}.json")["BillPayment"]
    assert read["PayType"] == shape["PayType"] == pay_type
    assert set(read[account]) >= set(shape[account]) and set(read) >= set(shape) - {"PrivateNote", "DocNumber"}
    assert read["Line"] == [{"Amount": Decimal("1093.50"), "LinkedTxn": [{"TxnId": bill.Id, "TxnType": "Bill"}]}]
    assert BillPayment.get(payment["Id"], qb=qb).PayType == pay_type


def test_a_partial_payment_leaves_the_rest_of_the_balance(sandbox, qb):
    bill = make_bill(qb).save(qb=qb)
    first = pay(sandbox, bill.Id, amount="500.00")
    assert raw(qb, "Bill", bill.Id)["Balance"] == Decimal("593.50")
    second = pay(sandbox, bill.Id)
    paid = raw(qb, "Bill", bill.Id)
    assert paid["Balance"] == 0 and [t["TxnId"] for t in paid["LinkedTxn"]] == [first["Id"], second["Id"]]
    assert Decimal(str(second["TotalAmt"])) == Decimal("593.50")


def test_a_voided_payment_is_kept_zeroed_without_lines_and_the_balance_comes_back(sandbox, qb):
    bill = make_bill(qb).save(qb=qb)
    payment = pay(sandbox, bill.Id)
    sandbox.control("POST", f"/realms/{sandbox.realm}/payments/{payment['Id']}/void")
    voided = raw(qb, "BillPayment", payment["Id"])
    assert voided["TotalAmt"] == 0 and voided.get("Line", []) == [] and voided["PrivateNote"].startswith("Voided")
    unpaid = raw(qb, "Bill", bill.Id)
    assert unpaid["Balance"] == Decimal("1093.50") and "LinkedTxn" not in unpaid
    assert events(sandbox)[-2:] == [("BillPayment", "Void"), ("Bill", "Update")]


def test_a_deleted_payment_is_gone_reported_deleted_by_cdc_and_the_balance_comes_back(sandbox, qb):
    bill = make_bill(qb).save(qb=qb)
    payment = pay(sandbox, bill.Id, amount="100.00")
    sandbox.control("DELETE", f"/realms/{sandbox.realm}/payments/{payment['Id']}")
    with pytest.raises(ObjectNotFoundException):
        raw(qb, "BillPayment", payment["Id"])
    assert raw(qb, "Bill", bill.Id)["Balance"] == Decimal("1093.50")
    changes = change_data_capture([BillPayment], "2020-01-01T00:00:00-08:00", qb=qb)
    assert [(p.Id, getattr(p, "status", None)) for p in changes.BillPayment] == [(payment["Id"], "Deleted")]
    assert events(sandbox)[-2:] == [("BillPayment", "Delete"), ("Bill", "Update")]


def test_paying_sends_a_bill_payment_create_and_a_bill_update_and_never_a_bill_void(sandbox, qb):
    bill = make_bill(qb).save(qb=qb)
    payment = pay(sandbox, bill.Id)
    sandbox.control("POST", f"/realms/{sandbox.realm}/payments/{payment['Id']}/void")
    assert events(sandbox) == [
        ("Bill", "Create"),
        ("BillPayment", "Create"),
        ("Bill", "Update"),
        ("BillPayment", "Void"),
        ("Bill", "Update"),
    ]
