"""Queued invoices synced together through QBO's batch endpoint, still exactly one Bill per invoice."""

from decimal import Decimal

import pytest
from limits import RateLimitItemPerMinute

import services.sync.steps
from qbo import limiter as limiter_module
from qbo.limiter import PER_MINUTE, RealmLimiter
from services.ports import QboThrottled
from services.sync.steps import invoice_lock_name
from tests.builders import settle, stored
from tests.integration.helpers import batches, one_bill_each, sent_many, stats


def test_35_invoices_sent_at_once_become_35_bills_in_two_batches_with_far_fewer_requests_than_bills(
    qbo_runtime, sandbox
):
    ids = sent_many(qbo_runtime, 35)
    assert [settle(qbo_runtime, i) for i in ids] == ["S"] + ["skipped"] * 29 + ["S"] + ["skipped"] * 4
    one_bill_each(sandbox, ids, qbo_runtime)
    assert batches(sandbox) == [30, 5]
    assert stats(sandbox)["requests"] <= 8  # vendor, item, classes, preferences; then a lookup and a batch, twice
    assert all(Decimal(str(b["TotalAmt"])) == Decimal("1093.50") for b in sandbox.bills())


def test_a_single_invoice_alone_in_es_takes_the_plain_path_without_a_batch(qbo_runtime, sandbox):
    [invoice_id] = sent_many(qbo_runtime, 1)
    assert settle(qbo_runtime, invoice_id) == "S"
    assert batches(sandbox) == []
    assert len(sandbox.bills()) == 1


def test_a_batch_item_quickbooks_refuses_and_a_failed_preflight_fail_only_their_own_invoices(qbo_runtime, sandbox):
    unknown_vendor = {"vendor": {"code": "NOPE", "name": "Nope", "qb_accounting_name": "Flores de la Sabana S.A.S."}}
    ids = sent_many(qbo_runtime, 6, i2=unknown_vendor, i4={"purchase_order": {"class": "New York"}})
    # Cached now, so only QuickBooks itself can notice the class is gone.
    gone = qbo_runtime.quickbooks().classes()["New York"]
    sandbox.control("DELETE", f"/realms/{sandbox.realm}/classes/{gone}")
    assert settle(qbo_runtime, ids[0]) == "S"
    assert [stored(qbo_runtime, i).status for i in ids] == ["S", "S", "F", "S", "F", "S"]
    assert (
        "QuickBooks has no active vendor named exactly 'Flores de la Sabana S.A.S.'"
        in stored(qbo_runtime, ids[2]).last_error
    )
    refused = stored(qbo_runtime, ids[4]).last_error
    assert "QuickBooks refused Bill 100482-FE-30004" in refused and "the class 'New York'" in refused
    assert batches(sandbox) == [5]
    assert len(sandbox.bills()) == 4


@pytest.mark.parametrize("mode", ["502", "abort"])
def test_a_batch_created_but_its_answer_lost_still_ends_with_exactly_one_bill_per_invoice(qbo_runtime, sandbox, mode):
    ids = sent_many(qbo_runtime, 5)
    sandbox.fault(kind="lost", mode=mode, count=1, method="POST", path="batch")
    with pytest.raises(AssertionError, match="did not settle in 1 attempts"):
        settle(qbo_runtime, ids[0], attempts=1)
    assert {stored(qbo_runtime, i).status for i in ids} == {"ES"}
    sandbox.forget_replies()
    assert [settle(qbo_runtime, i) for i in ids] == ["S"] + ["skipped"] * 4
    one_bill_each(sandbox, ids, qbo_runtime)
    assert batches(sandbox) == [5]


def test_a_worker_rerunning_the_job_after_a_crash_adopts_the_batch_bills_instead_of_duplicating(
    qbo_runtime, sandbox, monkeypatch
):
    ids = sent_many(qbo_runtime, 4)

    def crash(*_args, **_kwargs):
        raise SystemExit("worker killed right after the batch create")

    monkeypatch.setattr(services.sync.steps, "complete", crash)
    with pytest.raises(SystemExit):
        settle(qbo_runtime, ids[0])
    monkeypatch.undo()
    for invoice_id in ids:
        qbo_runtime.redis.delete(invoice_lock_name(invoice_id))
    assert len(sandbox.bills()) == 4 and {stored(qbo_runtime, i).status for i in ids} == {"ES"}
    assert settle(qbo_runtime, ids[1]) == "S"
    assert [stored(qbo_runtime, i).status for i in ids] == ["S"] * 4
    one_bill_each(sandbox, ids, qbo_runtime)
    assert batches(sandbox) == [4]


def test_a_batch_request_counts_against_both_the_request_and_the_batch_budgets(qbo_runtime, monkeypatch):
    monkeypatch.setattr(limiter_module, "BATCH_PER_MINUTE", RateLimitItemPerMinute(2, namespace="qbo-batch-test"))
    limiter = RealmLimiter(qbo_runtime.redis)
    limiter.acquire("realm-1", batch=True)
    limiter.acquire("realm-1", batch=True)
    with pytest.raises(QboThrottled, match="batch"):
        limiter.acquire("realm-1", batch=True)
    limiter.acquire("realm-1")
    assert limiter.windows.get_window_stats(PER_MINUTE, "realm-1").remaining == PER_MINUTE.amount - 3
