"""Exactly one Bill per invoice revision through the QuickBooks port: lost answers, duplicates, replays, refusals."""

from decimal import Decimal as D

import pytest

from invoices.bill import LineFacts
from services.ports import QboPermanent, QboTransient
from services.sync.exactly_once import find_or_create, request_id
from tests.unit.drafts import ITEM, draft, note_of
from tests.unit.fakes import LOST, FakeQuickBooks

RID = request_id(7, 1, 3)
NUMBER = "100482-FE-20931"


@pytest.fixture
def qbo():
    return FakeQuickBooks()


def sync(qbo, rid=RID, **changes):
    return find_or_create(qbo, draft(7, **changes), rid, ITEM)


def test_a_new_invoice_becomes_one_bill_created_under_its_request_id(qbo):
    bill = sync(qbo)
    assert list(qbo.bills) == [bill["Id"]]
    assert qbo.called("create_bill") == [RID]
    assert (bill["DocNumber"], bill["TotalAmt"], bill["PrivateNote"]) == (NUMBER, D("1093.50"), note_of(7))


def test_a_lost_create_answer_is_adopted_on_retry(qbo):
    qbo.fail("create_bill", LOST)
    with pytest.raises(QboTransient):
        sync(qbo)
    [made] = qbo.bills
    assert sync(qbo)["Id"] == made
    assert list(qbo.bills) == [made]
    assert qbo.called("create_bill") == [RID], "the retry adopted the Bill by its trace, it did not create again"


def test_a_retry_that_cannot_see_the_lost_bill_yet_replays_the_same_request_id_and_gets_the_same_bill(qbo):
    qbo.fail("create_bill", LOST)
    with pytest.raises(QboTransient):
        sync(qbo)
    qbo.lag_queries(1)
    [made] = qbo.bills
    assert sync(qbo)["Id"] == made
    assert list(qbo.bills) == [made]
    assert qbo.called("create_bill") == [RID, RID]


@pytest.mark.parametrize(
    "one, other, same",
    [
        ((7, 1, 3), (7, 1, 3), True),
        ((7, 1, 3), (7, 1, 5), False),
        ((7, 1, 3), (7, 2, 3), False),
        ((7, 1, 3), (8, 1, 3), False),
    ],
    ids=["same-send", "a-retry-bumps-the-version", "a-new-revision", "another-invoice"],
)
def test_the_request_id_replays_only_the_same_send_of_the_same_revision(one, other, same):
    assert (request_id(*one) == request_id(*other)) is same


def test_a_retry_after_the_bill_was_deleted_gets_a_new_request_id_and_a_new_bill(qbo):
    first = sync(qbo, request_id(7, 1, 3))
    del qbo.bills[first["Id"]]
    second = sync(qbo, request_id(7, 1, 5))
    assert second["Id"] != first["Id"] and list(qbo.bills) == [second["Id"]]


@pytest.mark.parametrize("code", [6140])
def test_a_duplicate_refusal_whose_bill_is_ours_adopts_that_bill(qbo, code):
    ours = qbo.add_bill(NUMBER, note=note_of(7))
    qbo.lag_queries(1)  # the lookup before the create misses it; QuickBooks' duplicate check does not
    qbo.fail("create_bill", QboPermanent("Duplicate Document Number Error", code=code))
    assert sync(qbo)["Id"] == ours["Id"]
    assert list(qbo.bills) == [ours["Id"]]


@pytest.mark.parametrize(
    "note, vendor, expected",
    [
        ("Entered by hand", None, "was not created by invoice-sync"),
        (note_of(8), None, "was not created by invoice-sync"),
        (note_of(7, revision=1), None, "created by invoice-sync for revision 1 of this invoice; delete that Bill"),
        (note_of(7, revision=None), None, "adopted"),
        (note_of(7, revision=2, po_number="[invoice-sync:999999 r1]"), None, "adopted"),
        ("Entered by hand", "Rosa's Farm", "created"),
    ],
    ids=[
        "typed-by-a-person",
        "another-invoices-trace",
        "an-earlier-revision-of-ours",
        "ours-before-revisions",
        "ours-with-a-trace-like-po",
        "same-number-another-vendor",
    ],
)
def test_a_bill_already_numbered_like_ours_is_adopted_only_when_its_trace_is_this_revisions(note, vendor, expected):
    qbo = FakeQuickBooks(vendors=("Flores de la Sabana SAS", "Rosa's Farm"))
    there = qbo.add_bill(NUMBER, vendor=vendor or "Flores de la Sabana SAS", note=note)
    if expected in ("adopted", "created"):
        bill = sync(qbo, revision=2)
        assert (bill["Id"] == there["Id"]) is (expected == "adopted")
        assert len(qbo.called("create_bill")) == (expected == "created")
        return
    with pytest.raises(QboPermanent) as refused:
        sync(qbo, revision=2)
    assert expected in str(refused.value) and f"QuickBooks id {there['Id']}" in str(refused.value)
    assert qbo.called("create_bill") == [] and list(qbo.bills) == [there["Id"]]


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"vendor_qb_name": None}, "The vendor has no QB accounting name"),
        (
            {"invoice_number": "FE-2093100000000"},
            "The Bill number 100482-FE-2093100000000 has 23 characters; QuickBooks allows at most 21",
        ),
        ({"po_class": "Bogota"}, "Class 'Bogota' does not exist in QuickBooks (known: Miami, New York)"),
        ({"po_class": None}, "neither the PO nor the vendor names a class"),
        ({"total": D("1000.00")}, "does not equal its lines and charges, which add up to 1093.50"),
        ({"lines": (), "charges": (), "total": D("0")}, "The invoice has no lines"),
        (
            {"vendor_qb_name": "Flores de la Sabana S.A.S."},
            "QuickBooks has no active vendor named exactly 'Flores de la Sabana S.A.S.'",
        ),
    ],
)
def test_problems_found_before_any_write_refuse_the_bill_without_touching_quickbooks(qbo, changes, problem):
    with pytest.raises(QboPermanent) as refused:
        find_or_create(qbo, draft(7, **{"invoice_number": "FE-20931", **changes}), RID, ITEM)
    assert problem in str(refused.value)
    assert qbo.called("create_bill") == [] and qbo.bills == {}


def test_an_unknown_item_is_refused_before_any_write_naming_it(qbo):
    with pytest.raises(QboPermanent, match="no item named 'Roses'"):
        find_or_create(qbo, draft(7), RID, "Roses")
    assert qbo.called("create_bill") == []


def test_a_company_without_class_tracking_gets_no_class_and_is_not_asked_for_its_classes():
    qbo = FakeQuickBooks(classes_enabled=False)
    bill = sync(qbo, po_class="Bogota")
    assert {line["ClassRef"] for line in bill["Line"]} == {None}
    assert qbo.called("classes") == []


@pytest.mark.parametrize(
    "code, forgets, says",
    [
        (
            2500,
            True,
            "a reference is invalid (Class with Id 9 does not exist); check that the vendor, the item "
            "'Fresh Cut Flowers' and the class 'Miami' exist and are active, then Retry",
        ),
        (
            2050,
            False,
            "a field QuickBooks did not name is longer than QuickBooks allows (QuickBooks: Class with Id 9 "
            "does not exist)",
        ),
        (6140, False, "that Bill number is already used by a Bill not created by invoice-sync"),
        (6000, False, "(code 6000): Class with Id 9 does not exist; correct it, then Retry"),
        (610, True, "something it names is inactive (Class with Id 9 does not exist); check that the vendor"),
    ],
)
def test_a_refused_create_is_told_in_the_invoices_terms_and_an_invalid_reference_forgets_the_cache(
    qbo, code, forgets, says
):
    qbo.fail("create_bill", QboPermanent("refused", code=code, detail="Class with Id 9 does not exist"))
    with pytest.raises(QboPermanent) as refused:
        sync(qbo)
    assert f"QuickBooks refused Bill {NUMBER} of vendor 'Flores de la Sabana SAS'" in str(refused.value)
    assert says in str(refused.value)
    assert bool(qbo.called("forget_references")) is forgets
    assert qbo.bills == {}


def test_a_transient_failure_of_the_create_propagates_and_the_retry_creates_the_one_bill(qbo):
    qbo.fail("create_bill", QboTransient("503 Service Unavailable"))
    with pytest.raises(QboTransient):
        sync(qbo)
    assert qbo.bills == {}
    assert sync(qbo)["Id"] in qbo.bills and len(qbo.bills) == 1


def test_charges_and_lines_all_reach_the_bill_with_exact_amounts(qbo):
    bill = sync(qbo, charges=(LineFacts("Handling", D("34.50")), LineFacts("Freight", D("0.01"))), total=D("1093.51"))
    assert [line["Amount"] for line in bill["Line"]] == [D("384.00"), D("675.00"), D("34.50"), D("0.01")]
