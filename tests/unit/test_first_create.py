"""The lookup before a create is spared only on an invoice's first create in a company refusing duplicate numbers."""

import pytest

from sandbox.erp import example_upload
from services.ports import QboPermanent, QboTransient
from services.sync.exactly_once import create_together, find_or_create, request_id
from services.sync.single import sync_invoice
from tests.builders import resent_revision, sent_invoice, stored
from tests.unit.drafts import ITEM, draft, note_of
from tests.unit.fakes import LOST, FakeQuickBooks

NUMBER = "100482-FE-20931"
RID = request_id(7, 1, 3)


@pytest.fixture
def refusing():
    """A company whose Preferences warn on duplicate bill numbers: QuickBooks refuses one with 6140."""
    qbo = FakeQuickBooks()
    qbo.refuses_duplicates = True
    return qbo


def bill_calls(qbo):
    return [name for name, _ in qbo.calls if name in ("find_bills", "find_bills_numbered", "create_bill")]


def test_a_first_send_creates_its_bill_in_one_quickbooks_call_and_a_retried_one_looks_it_up_first(refusing):
    refusing.fail("create_bill", LOST)
    with pytest.raises(QboTransient):
        find_or_create(refusing, draft(7), RID, ITEM)
    assert bill_calls(refusing) == ["create_bill"]
    [made] = refusing.bills
    assert find_or_create(refusing, draft(7), RID, ITEM)["Id"] == made
    assert bill_calls(refusing) == ["create_bill", "find_bills"], "the retry adopted by the trace, created nothing"


def test_a_company_that_accepts_duplicate_numbers_is_always_looked_up_first():
    qbo = FakeQuickBooks()
    theirs = qbo.add_bill(NUMBER, note="Entered by hand")
    with pytest.raises(QboPermanent, match=f"QuickBooks id {theirs['Id']}\\) and was not created by invoice-sync"):
        find_or_create(qbo, draft(7), RID, ITEM)
    assert bill_calls(qbo) == ["find_bills"] and list(qbo.bills) == [theirs["Id"]]


@pytest.mark.parametrize(
    "note, expected",
    [
        ("Entered by hand", "and was not created by invoice-sync"),
        (note_of(7, revision=1), "created by invoice-sync for revision 1 of this invoice; delete that Bill"),
    ],
    ids=["typed-by-a-person", "an-earlier-revision-of-ours"],
)
def test_a_first_send_beside_a_bill_of_its_number_is_refused_by_quickbooks_and_fails_naming_that_bill(
    refusing, note, expected
):
    there = refusing.add_bill(NUMBER, note=note)
    with pytest.raises(QboPermanent, match=expected) as refused:
        find_or_create(refusing, draft(7, revision=2), RID, ITEM)
    assert f"QuickBooks id {there['Id']}" in str(refused.value)
    assert list(refusing.bills) == [there["Id"]], "no second Bill of the number"


def test_an_invoice_once_in_a_batch_is_looked_up_before_its_own_create(refusing):
    refusing.fail("create_bills", LOST)
    drafts = {7: draft(7), 8: draft(8, invoice_number="FE-20932")}
    outcomes = create_together(refusing, drafts, {7: 3, 8: 3}, ITEM)
    assert all(isinstance(outcome, QboTransient) for outcome in outcomes.values())
    bill = find_or_create(refusing, draft(7), RID, ITEM)
    assert bill["PrivateNote"] == note_of(7) and refusing.called("create_bill") == []
    assert len(refusing.bills) == 2


def test_the_sync_of_a_sent_invoice_makes_one_quickbooks_call_and_its_next_revision_looks_up_first(runtime, qbo):
    qbo.refuses_duplicates = True
    invoice_id = sent_invoice(runtime)
    assert sync_invoice(runtime, invoice_id) == "S"
    assert bill_calls(qbo) == ["create_bill"]
    [first] = qbo.bills
    assert stored(runtime, invoice_id).bill_id == first
    revised = example_upload()
    revised["invoice"]["lines"][0]["product"] = "Rose Explorer 50cm"
    resent_revision(runtime, invoice_id, revised)
    assert sync_invoice(runtime, invoice_id) == "F"
    assert bill_calls(qbo) == ["create_bill", "find_bills"] and list(qbo.bills) == [first]
    assert "created by invoice-sync for revision 1" in stored(runtime, invoice_id).last_error
