"""The Bill an invoice maps to, and the preflight problems found before any QuickBooks write."""

from datetime import date
from decimal import Decimal as D

import pytest

from invoices.bill import BillLine, InvoiceFacts, LineFacts, draft_bill, preflight, traced_invoice_id

FORMAT = "{po_number}-{invoice_number}"


def facts(**changes) -> InvoiceFacts:
    base = dict(invoice_id=7, revision=1, po_number="100482", invoice_number="FE-20931", vendor_code="FLORSAB",
                vendor_qb_name="Flores de la Sabana SAS", vendor_default_class=None, po_class="Miami",
                ship_date=date(2026, 11, 20), total=D("1093.50"),
                lines=(LineFacts("Rose Freedom 50cm", D("384.00"), 1200, D("0.3200")),
                       LineFacts("Carnation Fancy White", D("675.00"), 2500, D("0.2700"))),
                charges=(LineFacts("Handling", D("34.50")),))
    return InvoiceFacts(**{**base, **changes})


@pytest.mark.parametrize("line, expected", [
    (LineFacts("Rose", D("384.00"), 1200, D("0.3200")), BillLine("Rose", D("384.00"), D(1200), D("0.3200"))),
    (LineFacts("Rose", D("110.99"), 333, D("0.3333")), BillLine("Rose (333 units at 0.3333)", D("110.99"))),
    (LineFacts("Rose", D("10.00"), None, D("0.5000")), BillLine("Rose", D("10.00"))),
    (LineFacts("Handling", D("34.50")), BillLine("Handling", D("34.50"))),
])
def test_qty_and_unit_price_are_sent_only_when_they_multiply_to_the_amount(line, expected):
    draft = draft_bill(facts(lines=(line,), charges=(), total=line.amount), FORMAT)
    assert draft.lines == (expected,)


@pytest.mark.parametrize("changes, cls", [
    ({}, "Miami"),
    ({"po_class": None, "vendor_default_class": "New York"}, "New York"),
    ({"po_class": None}, None),
])
def test_the_class_is_the_pos_else_the_vendors_default(changes, cls):
    assert draft_bill(facts(**changes), FORMAT).class_name == cls


def test_the_draft_carries_number_date_vendor_total_and_a_trace_naming_the_invoice():
    draft = draft_bill(facts(), FORMAT)
    assert (draft.doc_number, draft.txn_date, draft.vendor_name, draft.total) == (
        "100482-FE-20931", date(2026, 11, 20), "Flores de la Sabana SAS", D("1093.50"))
    assert len(draft.lines) == 3
    assert traced_invoice_id(draft.private_note) == 7


@pytest.mark.parametrize("changes, enabled, known, problem", [
    ({"vendor_qb_name": None}, False, None, "no QB accounting name"),
    ({"invoice_number": "FE-209310000000"}, False, None,
     "Bill number 100482-FE-209310000000 is 22 characters; QuickBooks allows at most 21"),
    ({"po_class": "Bogota"}, True, frozenset({"Miami"}), "Class 'Bogota' does not exist in QuickBooks"),
    ({"po_class": None}, True, frozenset({"Miami"}), "neither the PO nor the vendor names a class"),
    ({"total": D("1000.00")}, False, None, "add up to 1093.50"),
])
def test_preflight_names_each_problem(changes, enabled, known, problem):
    problems = preflight(draft_bill(facts(**changes), FORMAT), classes_enabled=enabled, known_classes=known)
    assert any(problem in p for p in problems), problems


def test_preflight_reports_every_problem_at_once_and_none_for_a_good_invoice():
    bad = facts(vendor_qb_name="", invoice_number="X" * 30, total=D("1.00"))
    assert len(preflight(draft_bill(bad, FORMAT), classes_enabled=False)) == 3
    assert preflight(draft_bill(facts(), FORMAT), classes_enabled=True, known_classes=frozenset({"Miami"})) == []
