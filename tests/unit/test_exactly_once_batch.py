"""Bills created together (one lookup, one /batch): each invoice's outcome is its own, still one Bill each."""

import pytest

from services.ports import QboPermanent, QboTransient
from services.sync.exactly_once import batch_request_id, create_together, request_id
from tests.unit.drafts import ITEM, draft, note_of
from tests.unit.fakes import LOST, FakeQuickBooks


@pytest.fixture
def qbo():
    return FakeQuickBooks()


def together(qbo, ids, version=1, **changes_by_id):
    drafts = {i: draft(i, **changes_by_id.get(f"i{i}", {})) for i in ids}
    return create_together(qbo, drafts, {i: version for i in ids}, ITEM)


def kinds(outcomes):
    return {i: "bill" if isinstance(o, dict) else type(o).__name__ for i, o in outcomes.items()}


def bills_by_invoice(qbo):
    return sorted(b["DocNumber"] for b in qbo.bills.values())


def test_queued_invoices_become_one_bill_each_in_one_lookup_and_one_batch(qbo):
    outcomes = together(qbo, [1, 2, 3])
    assert kinds(outcomes) == {1: "bill", 2: "bill", 3: "bill"}
    assert {o["Id"] for o in outcomes.values()} == set(qbo.bills)
    assert qbo.called("create_bills") == [(batch_request_id([(1, 1, 1), (2, 1, 1), (3, 1, 1)]), ["1", "2", "3"])]
    assert len(qbo.called("find_bills_numbered")) == 1 and qbo.called("create_bill") == []


def test_each_batch_item_fault_settles_only_its_own_invoice(qbo):
    duplicate = qbo.add_bill("100482-FE-20927", note=note_of(3))
    qbo.lag_queries(1)  # the batch lookup misses invoice 3's Bill, so it is created again and refused as a duplicate
    qbo.fail_item(2, QboPermanent("Invalid Reference Id", code=2500, detail="Class with Id 9 does not exist"))
    qbo.fail_item(4, QboTransient("QuickBooks' batch answer said nothing about item 4"))
    qbo.fail_item(5, LOST)
    outcomes = together(qbo, [1, 2, 3, 4, 5])
    assert kinds(outcomes) == {1: "bill", 2: "QboPermanent", 3: "bill", 4: "QboTransient", 5: "QboTransient"}
    assert "QuickBooks refused Bill 100482-FE-20926" in str(outcomes[2]) and "a reference is invalid" in str(
        outcomes[2]
    )
    assert qbo.called("forget_references") == [None]
    assert outcomes[3]["Id"] == duplicate["Id"]
    assert bills_by_invoice(qbo) == ["100482-FE-20925", "100482-FE-20927", "100482-FE-20929"]
    assert len(qbo.called("create_bills")) == 1


def test_the_next_run_adopts_a_lost_item_and_creates_an_unanswered_one_with_a_plain_create(qbo):
    qbo.fail_item(4, QboTransient("QuickBooks' batch answer said nothing about item 4"))
    qbo.fail_item(5, LOST)
    first = together(qbo, [1, 4, 5])
    [lost] = [b["Id"] for b in qbo.bills.values() if b["DocNumber"] == "100482-FE-20929"]
    second = together(qbo, [4, 5], version=1)
    assert kinds(first) == {1: "bill", 4: "QboTransient", 5: "QboTransient"}
    assert kinds(second) == {4: "bill", 5: "bill"} and second[5]["Id"] == lost
    assert qbo.called("create_bill") == [request_id(4, 1, 1)]
    assert len(qbo.called("create_bills")) == 1
    assert bills_by_invoice(qbo) == ["100482-FE-20925", "100482-FE-20928", "100482-FE-20929"]


def test_a_lone_bill_left_after_adoptions_uses_the_plain_create_and_spends_no_batch(qbo):
    ours = qbo.add_bill("100482-FE-20925", note=note_of(1))
    outcomes = together(qbo, [1, 2], version=4)
    assert outcomes[1]["Id"] == ours["Id"] and isinstance(outcomes[2], dict)
    assert qbo.called("create_bill") == [request_id(2, 1, 4)]
    assert qbo.called("create_bills") == []


def test_every_invoice_adopted_makes_no_create_at_all(qbo):
    for i in (1, 2):
        qbo.add_bill(f"100482-FE-{20924 + i}", note=note_of(i))
    assert kinds(together(qbo, [1, 2])) == {1: "bill", 2: "bill"}
    assert qbo.called("create_bill") == [] and qbo.called("create_bills") == []


def test_a_whole_batch_lost_leaves_every_invoice_undecided_and_the_next_run_adopts_what_quickbooks_made(qbo):
    qbo.fail("create_bills", LOST)
    first = together(qbo, [1, 2, 3])
    assert kinds(first) == {1: "QboTransient", 2: "QboTransient", 3: "QboTransient"}
    made = set(qbo.bills)
    assert len(made) == 3
    second = together(qbo, [1, 2, 3])
    assert {o["Id"] for o in second.values()} == made and set(qbo.bills) == made
    assert len(qbo.called("create_bills")) == 1 and qbo.called("create_bill") == []


def test_a_batch_retried_before_the_lookup_sees_its_bills_replays_and_makes_no_second_set(qbo):
    qbo.fail("create_bills", LOST)
    together(qbo, [1, 2])
    made = set(qbo.bills)
    qbo.lag_queries(1)
    second = together(qbo, [1, 2])
    assert {o["Id"] for o in second.values()} == made and set(qbo.bills) == made
    [(first_rid, _), (second_rid, _)] = qbo.called("create_bills")
    assert first_rid == second_rid


def test_a_whole_batch_refused_creates_each_bill_on_its_own_and_fails_no_invoice(qbo):
    qbo.fail("create_bills", QboPermanent("refused", code=6000, detail="Business Validation Error"))
    outcomes = together(qbo, [1, 2])
    assert kinds(outcomes) == {1: "bill", 2: "bill"}
    assert qbo.called("create_bill") == [request_id(1, 1, 1), request_id(2, 1, 1)]
    assert bills_by_invoice(qbo) == ["100482-FE-20925", "100482-FE-20926"]


def test_preflight_failures_and_someone_elses_bill_fail_only_their_own_invoices(qbo):
    theirs = qbo.add_bill("100482-FE-20927", note="typed by the bookkeeper")
    outcomes = together(qbo, [1, 2, 3, 4], i2={"vendor_qb_name": None}, i4={"po_class": "Bogota"})
    assert kinds(outcomes) == {1: "bill", 2: "QboPermanent", 3: "QboPermanent", 4: "QboPermanent"}
    assert "no QB accounting name" in str(outcomes[2])
    assert f"(QuickBooks id {theirs['Id']}) and was not created by invoice-sync" in str(outcomes[3])
    assert "Class 'Bogota' does not exist" in str(outcomes[4])
    assert qbo.called("create_bills") == [] and qbo.called("create_bill") == [request_id(1, 1, 1)]


def test_nothing_is_looked_up_when_every_draft_fails_preflight(qbo):
    outcomes = together(qbo, [1, 2], i1={"vendor_qb_name": ""}, i2={"vendor_qb_name": ""})
    assert kinds(outcomes) == {1: "QboPermanent", 2: "QboPermanent"}
    assert qbo.called("find_bills_numbered") == []


@pytest.mark.parametrize(
    "one, other, same",
    [
        ([(1, 1, 1), (2, 1, 1)], [(2, 1, 1), (1, 1, 1)], True),
        ([(1, 1, 1), (2, 1, 1)], [(1, 1, 1), (2, 1, 2)], False),
        ([(1, 1, 1), (2, 1, 1)], [(1, 1, 1), (2, 2, 1)], False),
        ([(1, 1, 1), (2, 1, 1)], [(1, 1, 1)], False),
        ([(1, 1, 1), (2, 1, 1)], [(1, 1, 1), (3, 1, 1)], False),
    ],
    ids=["same-set-any-order", "a-version-differs", "a-revision-differs", "fewer-items", "another-invoice"],
)
def test_the_batch_request_id_is_stable_for_the_same_sends_and_differs_otherwise(one, other, same):
    assert (batch_request_id(one) == batch_request_id(other)) is same
    assert len(batch_request_id(one)) <= 50  # QBO's requestid limit
