"""QuickBooks' answers sorted by their structure, never by words QuickBooks echoes back (issue 16), through the real
python-quickbooks against the sandbox: a vendor or Bill number saying "ThrottleExceeded", "statusCode=403" or
"Account Period Closed" fails only its own invoice; a real 429 still holds the company back; closed books are
read again after QuickBooks refuses a date, and a close date of 9999-12-31 is a clear failure."""

import pytest

from invoices.bill import draft_bill
from invoices.numbering import BillNumbering
from invoices.statuses import Action
from sandbox.erp import example_upload
from services.connection.health import throttled_key
from services.ports import BillRefs, QboBooksClosed, QboPermanent, QboThrottled
from tests.backends import with_settings
from tests.builders import AP, act, sent_invoice, settle, stored
from tests.unit.drafts import facts

VENDOR, ITEM = "Flores de la Sabana SAS", "Fresh Cut Flowers"


def sent(runtime, number: str, **sections) -> int:
    """The example invoice numbered `number`, with sections changed, sent (in ES)."""
    data = example_upload()
    data["invoice"]["number"] = number
    for section, values in sections.items():
        data[section].update(values)
    return sent_invoice(runtime, data)


def untouched(runtime, realm: str) -> None:
    """No company-wide back-off, no 429 streak, no broken connection."""
    assert not runtime.redis.exists(f"qbo:backoff:{realm}")
    assert not runtime.redis.exists(throttled_key(realm))
    assert not runtime.health.is_broken(realm) and runtime.health.broken() == []


def close_books(sandbox, through: str) -> None:
    sandbox.control("POST", f"/realms/{sandbox.realm}/preferences", book_close_date=through)


@pytest.mark.parametrize(
    "name",
    ["ThrottleExceeded’s Farm", "ApplicationAuthorizationFailed; statusCode=403 Farm", "Account Period Closed’s Farm"],
    ids=["throttle", "access-refused", "closed-books"],
)
def test_an_absent_vendor_named_like_a_fault_fails_alone_and_the_invoices_sent_with_it_sync(qbo_runtime, sandbox, name):
    odd = {"vendor": {"code": "ODD", "name": "Odd Farm", "qb_accounting_name": name}}
    ids = [sent(qbo_runtime, "FE-30000"), sent(qbo_runtime, "FE-30001", **odd), sent(qbo_runtime, "FE-30002")]
    assert settle(qbo_runtime, ids[0]) == "S"
    assert [stored(qbo_runtime, i).status for i in ids] == ["S", "F", "S"]
    error = stored(qbo_runtime, ids[1]).last_error
    assert f"QuickBooks has no active vendor named exactly {name!r}" in error
    assert "the QB accounting name in the ERP and upload the invoice again" in error and "Retry" in error
    assert sorted(b["DocNumber"] for b in sandbox.bills()) == ["100482-FE-30000", "100482-FE-30002"]
    untouched(qbo_runtime, sandbox.realm)
    stats = sandbox.control("GET", f"/realms/{sandbox.realm}/stats")
    assert stats["throttled"] == 0 and all(text.isascii() for text in stats["queries"])


@pytest.mark.parametrize(
    "text",
    [
        "ThrottleExceeded",
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
        "Account Period Closed",
    ],
)
def test_a_parser_error_echoing_words_of_other_faults_is_only_that_query_refused(qbo_runtime, sandbox, text):
    gateway = qbo_runtime.quickbooks()
    statement = f"select * from Vendor where DisplayName = '{text}’s Farm'".encode()
    with pytest.raises(QboPermanent) as refused:
        gateway.call(lambda qb: qb.query(statement))  # past the gateway's own guard, as a bug would send it
    assert type(refused.value) is QboPermanent and refused.value.code == 4000
    assert text[:16] in refused.value.detail  # QuickBooks did echo it (after : "\'...")
    untouched(qbo_runtime, sandbox.realm)


@pytest.mark.parametrize("number", ["statusCode=403", "Account Period Closed", "errorCode=003001", "ThrottleExceeded"])
def test_a_bill_number_echoed_in_a_duplicate_refusal_fails_only_that_bill_single_or_batched(
    qbo_runtime, sandbox, number
):
    sandbox.control("PUT", f"/realms/{sandbox.realm}/preferences", warn_duplicate_bill_number=True)
    gateway = qbo_runtime.quickbooks()
    refs = BillRefs(gateway.vendor_id(VENDOR), gateway.item_id(ITEM), gateway.classes()["Miami"])
    numbered = BillNumbering("{invoice_number}")
    gateway.create_bill(draft_bill(facts(invoice_id=1, invoice_number=number), numbered), refs, "echo-first")
    again = draft_bill(facts(invoice_id=2, invoice_number=number), numbered)
    with pytest.raises(QboPermanent) as refused:
        gateway.create_bill(again, refs, "echo-single")
    assert type(refused.value) is QboPermanent and refused.value.code == 6140 and number in refused.value.detail
    fresh = draft_bill(facts(invoice_id=3, invoice_number="FE-1"), numbered)
    answered = gateway.create_bills({"2": (again, refs), "3": (fresh, refs)}, "echo-batch")
    assert type(answered["2"]) is QboPermanent and answered["2"].code == 6140 and number in answered["2"].detail
    assert not isinstance(answered["2"], QboBooksClosed) and answered["3"]["DocNumber"] == "FE-1"
    untouched(qbo_runtime, sandbox.realm)


def test_a_real_429_with_intuits_xml_body_still_holds_the_whole_company_back(qbo_runtime, sandbox):
    runtime = with_settings(qbo_runtime, qbo_throttle_backoff=30)
    gateway = runtime.quickbooks()
    sandbox.fault(kind="throttle", count=1)
    with pytest.raises(QboThrottled) as throttled:
        gateway.query("select * from Vendor")
    assert throttled.value.retry_after == 60 and "HTTP 429, ThrottleExceeded, code 3001" in str(throttled.value)
    assert runtime.redis.pttl(f"qbo:backoff:{sandbox.realm}") > 0
    assert runtime.redis.exists(throttled_key(sandbox.realm)) and not runtime.health.is_broken(sandbox.realm)
    before = sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["requests"]
    with pytest.raises(QboThrottled, match="slow down"):
        runtime.quickbooks().query("select * from Vendor")
    assert sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["requests"] == before


def test_books_closed_through_9999_12_31_fail_the_invoice_clearly_under_next_open_day(qbo_runtime, sandbox):
    runtime = with_settings(qbo_runtime, closed_books="next_open_day")
    close_books(sandbox, "9999-12-31")
    invoice_id = sent_invoice(runtime)
    assert settle(runtime, invoice_id, attempts=1) == "F"
    error = stored(runtime, invoice_id).last_error
    assert "closed through 9999-12-31, so no later day is open for the ship date 2026-11-20" in error
    assert "Retry" in error and sandbox.bills() == []


def test_under_next_open_day_books_closed_since_they_were_read_are_read_again_and_the_bill_dated_after(
    qbo_runtime, sandbox
):
    runtime = with_settings(qbo_runtime, closed_books="next_open_day")
    assert runtime.quickbooks().books().close_date is None  # read and cached while the books were open
    close_books(sandbox, "2026-11-25")
    invoice_id = sent_invoice(runtime)
    assert settle(runtime, invoice_id) == "S", stored(runtime, invoice_id).last_error
    [bill] = sandbox.bills()
    assert bill["TxnDate"] == "2026-11-26" and bill["PrivateNote"].startswith("Dated 2026-11-26")
    assert stored(runtime, invoice_id).bill_id == bill["Id"]


def test_under_next_open_day_a_batch_refused_for_closed_books_is_dated_anew_with_one_bill_each(qbo_runtime, sandbox):
    runtime = with_settings(qbo_runtime, closed_books="next_open_day")
    assert runtime.quickbooks().books().close_date is None
    close_books(sandbox, "2026-11-25")
    ids = [sent(runtime, f"FE-{30000 + n}") for n in range(3)]
    assert settle(runtime, ids[0]) == "S"
    assert [stored(runtime, i).status for i in ids] == ["S"] * 3
    bills = sandbox.bills()
    assert sorted(b["DocNumber"] for b in bills) == [f"100482-FE-{30000 + n}" for n in range(3)]
    assert {b["TxnDate"] for b in bills} == {"2026-11-26"}
    assert sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["batches"] == [3]


def test_with_block_a_retry_after_a_closed_period_refusal_reads_the_books_again(qbo_runtime, sandbox):
    assert qbo_runtime.quickbooks().books().close_date is None
    close_books(sandbox, "2026-11-30")
    invoice_id = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, invoice_id) == "F"
    assert "was not booked" in stored(qbo_runtime, invoice_id).last_error
    assert act(qbo_runtime, invoice_id, Action.RETRY, AP).changed
    assert settle(qbo_runtime, invoice_id) == "F"
    # Preflight now knows the close date (no create refused a second time): its own wording, naming both dates.
    error = stored(qbo_runtime, invoice_id).last_error
    assert "books are closed through 2026-11-30 and the ship date is 2026-11-20" in error
    assert sandbox.bills() == []
