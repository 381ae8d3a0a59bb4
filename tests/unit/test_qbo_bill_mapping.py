"""The Bill an invoice maps to, and the preflight problems found before any QuickBooks write."""

from datetime import date
from decimal import Decimal as D

import pytest

from invoices.bill import BillLine, LineFacts, draft_bill, preflight, traced, traced_invoice_id
from invoices.numbering import BillNumbering
from tests.unit.drafts import NUMBERING, facts


@pytest.mark.parametrize(
    "line, expected",
    [
        (LineFacts("Rose", D("384.00"), 1200, D("0.3200")), BillLine("Rose", D("384.00"), D(1200), D("0.3200"))),
        (LineFacts("Rose", D("110.99"), 333, D("0.3333")), BillLine("Rose (333 units at 0.3333)", D("110.99"))),
        (LineFacts("Rose", D("10.00"), None, D("0.5000")), BillLine("Rose", D("10.00"))),
        (LineFacts("Handling", D("34.50")), BillLine("Handling", D("34.50"))),
    ],
)
def test_qty_and_unit_price_are_sent_only_when_they_multiply_to_the_amount(line, expected):
    draft = draft_bill(facts(lines=(line,), charges=(), total=line.amount), NUMBERING)
    assert draft.lines == (expected,)


@pytest.mark.parametrize(
    "changes, cls",
    [
        ({}, "Miami"),
        ({"po_class": None, "vendor_default_class": "New York"}, "New York"),
        ({"po_class": None}, None),
    ],
)
def test_the_class_is_the_pos_else_the_vendors_default(changes, cls):
    assert draft_bill(facts(**changes), NUMBERING).class_name == cls


def test_the_draft_carries_number_date_vendor_total_and_a_trace_naming_the_invoice():
    draft = draft_bill(facts(), NUMBERING)
    assert (draft.doc_number, draft.txn_date, draft.vendor_name, draft.total) == (
        "100482-FE-20931",
        date(2026, 11, 20),
        "Flores de la Sabana SAS",
        D("1093.50"),
    )
    assert len(draft.lines) == 3
    assert traced_invoice_id(draft.private_note) == 7


@pytest.mark.parametrize(
    "changes, enabled, known, problem",
    [
        ({"vendor_qb_name": None}, False, None, "no QB accounting name"),
        (
            {"invoice_number": "FE-209310000000"},
            False,
            None,
            "The Bill number 100482-FE-209310000000 has 22 characters; QuickBooks allows at most 21",
        ),
        ({"po_class": "Bogota"}, True, frozenset({"Miami"}), "Class 'Bogota' does not exist in QuickBooks"),
        ({"po_class": None}, True, frozenset({"Miami"}), "neither the PO nor the vendor names a class"),
        ({"total": D("1000.00")}, False, None, "add up to 1093.50"),
    ],
)
def test_preflight_names_each_problem(changes, enabled, known, problem):
    problems = preflight(draft_bill(facts(**changes), NUMBERING), classes_enabled=enabled, known_classes=known)
    assert any(problem in p for p in problems), problems


def test_preflight_reports_every_problem_at_once_and_none_for_a_good_invoice():
    bad = facts(vendor_qb_name="", invoice_number="X" * 30, total=D("1.00"))
    assert len(preflight(draft_bill(bad, NUMBERING), classes_enabled=False)) == 3
    assert preflight(draft_bill(facts(), NUMBERING), classes_enabled=True, known_classes=frozenset({"Miami"})) == []


@pytest.mark.parametrize(
    "note, found",
    [
        ("PO 100482, vendor invoice FE-20931 [invoice-sync:7 r2]", (7, 2)),
        ("PO 100482, vendor invoice FE-20931 [invoice-sync:7]", (7, None)),
        ("PO [invoice-sync:999 r1], vendor invoice FE-20931 [invoice-sync:7 r3]", (7, 3)),
        ("Entered by hand", None),
        (None, None),
    ],
    ids=["current", "before-revisions", "the-last-trace-wins", "no-trace", "no-note"],
)
def test_a_bills_trace_names_the_invoice_and_revision_that_made_it(note, found):
    assert traced(note) == found


def test_the_bill_number_follows_the_configured_format():
    numbering = BillNumbering("{vendor_code}/{invoice_number}")
    assert draft_bill(facts(), numbering).doc_number == "FLORSAB/FE-20931"
    assert numbering.parts() == [("", "vendor_code"), ("/", "invoice_number")]
    with pytest.raises(ValueError, match="may not use format specs"):
        BillNumbering("{po_number:>10}").parts()
