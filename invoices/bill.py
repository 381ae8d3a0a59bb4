"""The QuickBooks Bill an invoice becomes (docs/quickbooks.md), and the checks made before any API write."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoices.accounting import AccountingPolicy
from invoices.numbering import BillNumbering, too_long
from invoices.rules import NO_NAME_FIX
from invoices.totals import CENT, total_discrepancy

TRACE = re.compile(r"\[invoice-sync:(\d+)(?: r(\d+))?\]")


@dataclass(frozen=True)
class LineFacts:
    """A product line or charge as the invoice states it; charges have no units or price."""

    text: str
    amount: Decimal
    units: int | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class InvoiceFacts:
    """Everything the mapping needs to know about one invoice revision."""

    invoice_id: int
    revision: int
    po_number: str
    invoice_number: str
    vendor_code: str
    vendor_qb_name: str | None
    vendor_default_class: str | None
    po_class: str | None
    ship_date: date
    total: Decimal
    lines: tuple[LineFacts, ...]
    charges: tuple[LineFacts, ...] = ()
    currency: str | None = None


@dataclass(frozen=True)
class BillLine:
    """One ItemBasedExpenseLine: qty and unit price only when they multiply to the amount exactly."""

    description: str
    amount: Decimal
    qty: Decimal | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class BillDraft:
    """The Bill to create, by names; the gateway turns names into QuickBooks references."""

    invoice_id: int
    doc_number: str
    vendor_name: str
    txn_date: date
    lines: tuple[BillLine, ...]
    class_name: str | None
    total: Decimal
    private_note: str
    revision: int
    currency: str | None = None
    # The accounting fields by name (invoices.accounting; each None/False unless configured), and what keeps
    # them from being known, e.g. a class QBO_LOCATION_FROM maps to no location.
    ap_account: str | None = None
    location: str | None = None
    due_from_terms: bool = False
    problems: tuple[str, ...] = ()


def bill_number(facts: InvoiceFacts, numbering: BillNumbering) -> str:
    """The composed Bill number (DocNumber), e.g. '100482-FE-20931'."""
    return numbering.compose(
        po_number=facts.po_number, invoice_number=facts.invoice_number, vendor_code=facts.vendor_code
    )


def trace(facts: InvoiceFacts) -> str:
    """The PrivateNote that marks a Bill as ours: PO, vendor invoice number, internal id and revision."""
    return (
        f"PO {facts.po_number}, vendor invoice {facts.invoice_number} "
        f"[invoice-sync:{facts.invoice_id} r{facts.revision}]"
    )


def traced(private_note: str | None) -> tuple[int, int | None] | None:
    """The (invoice id, revision) a Bill's PrivateNote names, e.g. '... [invoice-sync:42 r2]' → (42, 2)."""
    # The last one: ours ends the note, after the PO and invoice numbers the vendor wrote.
    found = TRACE.findall(private_note or "")
    if not found:
        return None
    invoice_id, revision = found[-1]
    return int(invoice_id), int(revision) if revision else None


def traced_invoice_id(private_note: str | None) -> int | None:
    """The internal invoice id a Bill's PrivateNote names, e.g. '... [invoice-sync:42 r2]' → 42."""
    found = traced(private_note)
    return found[0] if found else None


def bill_class(facts: InvoiceFacts, company_default: str | None = None) -> str | None:
    """The class of every line: the PO's, else the vendor's default, else the company default."""
    return facts.po_class or facts.vendor_default_class or company_default


def _line(fact: LineFacts) -> BillLine:
    if fact.units and fact.unit_price is not None:
        if Decimal(fact.units) * fact.unit_price == fact.amount:
            return BillLine(fact.text, fact.amount, Decimal(fact.units), fact.unit_price)
        return BillLine(f"{fact.text} ({fact.units} units at {fact.unit_price})", fact.amount)
    return BillLine(fact.text, fact.amount)


def draft_bill(
    facts: InvoiceFacts,
    numbering: BillNumbering,
    company_default_class: str | None = None,
    accounting: AccountingPolicy | None = None,
) -> BillDraft:
    """Map an invoice to its Bill: one line per product and per charge, dated the ship date."""
    policy = accounting or AccountingPolicy()
    class_name = bill_class(facts, company_default_class)
    location, unknown = policy.location(class_name)
    return BillDraft(
        invoice_id=facts.invoice_id,
        doc_number=bill_number(facts, numbering),
        vendor_name=(facts.vendor_qb_name or "").strip(),
        txn_date=facts.ship_date,
        lines=tuple(_line(f) for f in facts.lines + facts.charges),
        class_name=class_name,
        total=facts.total.quantize(CENT),
        private_note=trace(facts),
        revision=facts.revision,
        currency=facts.currency,
        ap_account=policy.ap_account,
        location=location,
        due_from_terms=policy.due_from_terms,
        problems=(unknown[0].upper() + unknown[1:],) if unknown else (),
    )


def preflight(draft: BillDraft, *, classes_enabled: bool, known_classes: frozenset[str] | None = None) -> list[str]:
    """Every problem that would make QuickBooks refuse or misbook the Bill, found before any write."""
    problems = []
    if not draft.vendor_name:
        problems.append(f"The vendor has no QB accounting name: {NO_NAME_FIX}")
    if too_long(draft.doc_number):
        problems.append("The" + too_long(draft.doc_number).removeprefix("the"))
    if classes_enabled and not draft.class_name:
        problems.append("QuickBooks tracks classes but neither the PO nor the vendor names a class")
    elif classes_enabled and known_classes is not None and draft.class_name not in known_classes:
        problems.append(
            f"Class {draft.class_name!r} does not exist in QuickBooks "
            f"(known: {', '.join(sorted(known_classes)) or 'none'})"
        )
    off = total_discrepancy(draft.total, (line.amount for line in draft.lines))
    if off:
        problems.append(
            f"The invoice total {draft.total} does not equal its lines and charges, which add up to {draft.total - off}"
        )
    if not draft.lines:
        problems.append("The invoice has no lines")
    problems.extend(draft.problems)
    return problems
