"""Batch request ids inside QBO's limits, and a batch refused as a whole never failing its invoices (issue 9,
point 4)."""

import services.sync.exactly_once
from services.sync.exactly_once import batch_request_id
from tests.builders import settle, stored
from tests.integration.helpers import batches, one_bill_each, sent_many, stats


def test_eight_invoices_sent_together_are_synchronized_through_one_batch_quickbooks_accepts(qbo_runtime, sandbox):
    ids = sent_many(qbo_runtime, 8)
    assert [settle(qbo_runtime, i) for i in ids] == ["S"] + ["skipped"] * 7
    assert [stored(qbo_runtime, i).last_error for i in ids] == [None] * 8
    one_bill_each(sandbox, ids, qbo_runtime)
    assert batches(sandbox) == [8]


def test_a_batch_refused_as_a_whole_falls_back_to_single_creates_for_every_invoice_swept_into_it(
    qbo_runtime, sandbox, monkeypatch
):
    # Eight sent together plus two that were waiting in ES; QuickBooks refuses the /batch request itself.
    ids = sent_many(qbo_runtime, 10)
    monkeypatch.setattr(services.sync.exactly_once, "batch_request_id", lambda sends: "x" * 37)
    assert settle(qbo_runtime, ids[0]) == "S"
    assert [stored(qbo_runtime, i).status for i in ids] == ["S"] * 10
    assert [stored(qbo_runtime, i).last_error for i in ids] == [None] * 10
    one_bill_each(sandbox, ids, qbo_runtime)
    assert batches(sandbox) == [10]
    assert stats(sandbox)["bills"] == 10


def test_a_batch_request_id_fits_36_characters_and_is_the_same_for_the_same_sends_only():
    sends = [(7, 1, 3), (12, 2, 5)]
    assert len(batch_request_id(sends)) == 36
    assert batch_request_id(sends) == batch_request_id(list(reversed(sends)))
    assert batch_request_id(sends) != batch_request_id([(7, 1, 3), (12, 2, 6)])
    assert batch_request_id(sends).startswith("invoice-sync-b-")
