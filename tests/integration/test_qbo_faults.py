"""Faults on the way to QuickBooks: every invoice still ends Synchronized with exactly one Bill."""

import pytest
from pydantic import SecretStr

from invoices.statuses import Action
from qbo.errors import classify
from sandbox.erp import example_upload
from services.ports import QboConnectionBroken, QboPermanent
from services.sync.single import sync_invoice
from tests.backends import with_settings
from tests.builders import AP, act, sent_invoice, settle, stored


def second_invoice(runtime):
    data = example_upload()
    data["invoice"]["number"] = "FE-20932"
    return sent_invoice(runtime, data)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "throttle", "count": 3},
        {"kind": "error", "status": 503, "count": 2, "method": "POST", "path": "/bill"},
        {"kind": "error", "status": 502, "count": 2, "path": "/query"},
        {"kind": "hang", "seconds": 3, "count": 1, "method": "POST", "path": "/bill"},
        {"kind": "expire_token", "count": 1},
        {"kind": "lost", "count": 1, "method": "POST", "path": "/bill"},
        {"kind": "lost", "mode": "abort", "count": 1, "method": "POST", "path": "/bill"},
    ],
    ids=["throttle", "5xx-create", "html-5xx-query", "hang", "expired-token", "lost-502", "lost-abort"],
)
def test_transient_faults_end_synchronized_with_exactly_one_bill(qbo_runtime, sandbox, fault):
    first = sent_invoice(qbo_runtime)
    sandbox.fault(**fault)
    assert settle(qbo_runtime, first) == "S"
    assert settle(qbo_runtime, second_invoice(qbo_runtime)) == "S"
    assert sorted(b["DocNumber"] for b in sandbox.bills()) == ["100482-FE-20931", "100482-FE-20932"]


def test_a_created_bill_whose_answer_was_lost_is_adopted_even_when_qbo_forgot_the_requestid(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    sandbox.fault(kind="lost", count=1, method="POST", path="/bill")
    with pytest.raises(AssertionError, match="did not settle in 1 attempts"):
        settle(qbo_runtime, invoice_id, attempts=1)
    sandbox.forget_replies()
    assert settle(qbo_runtime, invoice_id) == "S"
    [bill] = sandbox.bills()
    assert stored(qbo_runtime, invoice_id).bill_id == bill["Id"]


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"vendor": {"code": "NOPE", "name": "Nope", "qb_accounting_name": "Flores de la Sabana S.A.S."}},
            "QuickBooks has no active vendor named exactly 'Flores de la Sabana S.A.S.'",
        ),
        ({"purchase_order": {"class": "Bogota"}}, "Class 'Bogota' does not exist in QuickBooks"),
    ],
)
def test_permanent_errors_end_failed_with_an_actionable_message(qbo_runtime, sandbox, changes, message):
    invoice_id = sent_invoice(qbo_runtime, **changes)
    assert settle(qbo_runtime, invoice_id) == "F"
    assert message in stored(qbo_runtime, invoice_id).last_error
    assert sandbox.bills() == []


def test_a_bill_number_grown_too_long_after_send_ends_failed_showing_the_composed_number(qbo_runtime, sandbox):
    # Send refuses a number that is already too long, so this one was sent under a shorter BILL_NUMBER_FORMAT
    # and the deployment's format changed before its job ran.
    short = with_settings(qbo_runtime, bill_number_format="{invoice_number}")
    invoice_id = sent_invoice(short, invoice={"number": "FE-2093100000000"})
    assert settle(qbo_runtime, invoice_id) == "F"
    assert (
        "The Bill number 100482-FE-2093100000000 has 23 characters; QuickBooks allows at most 21"
        in stored(qbo_runtime, invoice_id).last_error
    )
    assert sandbox.bills() == []


def test_an_item_gone_from_quickbooks_fails_naming_it_then_retry_after_the_fix_synchronizes(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, invoice_id) == "S"
    item_id = qbo_runtime.quickbooks().item_id("Fresh Cut Flowers")
    sandbox.control("DELETE", f"/realms/{sandbox.realm}/items/{item_id}")
    second = second_invoice(qbo_runtime)
    assert settle(qbo_runtime, second) == "F"
    assert "'Fresh Cut Flowers'" in stored(qbo_runtime, second).last_error
    sandbox.control("POST", f"/realms/{sandbox.realm}/items", name="Fresh Cut Flowers")
    assert act(qbo_runtime, second, Action.RETRY, AP).changed
    assert settle(qbo_runtime, second) == "S"
    assert len(sandbox.bills()) == 2


def test_a_vendor_fixed_after_failure_synchronizes_on_retry(qbo_runtime, sandbox):
    invoice_id = sent_invoice(
        qbo_runtime, vendor={"code": "ROSA", "name": "Rosa", "qb_accounting_name": "Rosa's Farm 2"}
    )
    assert settle(qbo_runtime, invoice_id) == "F"
    sandbox.control("POST", f"/realms/{sandbox.realm}/vendors", name="Rosa's Farm 2")
    assert act(qbo_runtime, invoice_id, Action.RETRY, AP).changed
    assert settle(qbo_runtime, invoice_id) == "S"
    assert sandbox.bills()[0]["VendorRef"]["name"] == "Rosa's Farm 2"


def test_a_bill_whose_po_text_looks_like_a_trace_is_still_adopted_as_ours_after_a_lost_answer(qbo_runtime, sandbox):
    numbered = with_settings(qbo_runtime, bill_number_format="{invoice_number}")
    invoice_id = sent_invoice(numbered, purchase_order={"number": "[invoice-sync:999999]"})
    sandbox.fault(kind="lost", count=1, method="POST", path="/bill")
    with pytest.raises(AssertionError, match="did not settle in 1 attempts"):
        settle(numbered, invoice_id, attempts=1)
    sandbox.forget_replies()
    assert settle(numbered, invoice_id) == "S", stored(numbered, invoice_id).last_error
    [bill] = sandbox.bills()
    assert stored(numbered, invoice_id).bill_id == bill["Id"]


def test_wrong_app_credentials_break_the_connection_and_the_invoice_waits_in_es(runtime, sandbox):
    wrong = with_settings(sandbox.point(runtime), qbo_client_secret=SecretStr("not-the-secret"))
    invoice_id = sent_invoice(wrong)
    with pytest.raises(QboConnectionBroken) as broken:
        sync_invoice(wrong, invoice_id)
    assert broken.value.kind == "keys" and "invalid_client" in str(broken.value)
    assert stored(wrong, invoice_id).status == "ES"
    assert sandbox.bills() == []


def test_an_answer_the_client_library_cannot_read_is_shown_to_a_person_not_retried_forever():
    failure = classify(TypeError("int() argument must be a string, not 'NoneType'"))
    assert isinstance(failure, QboPermanent)
    assert "could not read (TypeError: int() argument must be a string" in str(failure)
    assert "Retry" in str(failure)
