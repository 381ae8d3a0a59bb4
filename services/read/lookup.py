"""Finding invoices for /invoice: by any number people quote, and what waits for someone's approval."""

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, literal, or_, select
from sqlalchemy.orm import Session

from invoices.numbering import BillNumbering
from invoices.rules import Actor, Role
from invoices.statuses import Status
from models import Invoice, Vendor
from services.read.erp import delivery_of
from services.read.view import approvals_of, load_view
from services.views import InvoiceView

MAX_MATCHES = 10
# The most invoices a list of what waits reads: the App Home shows at most 100 and counts the rest up to this.
MAX_WAITING = 1000
_WAITING_FOR = {
    Role.PROCUREMENT_APPROVER: (Status.PENDING_PROCUREMENT,),
    Role.ACCOUNTING_APPROVER: (Status.PENDING_ACCOUNTING,),
    Role.AP_SENDER: (Status.APPROVED, Status.FAILED),
}


def find_invoices(
    session: Session, number: str, numbering: BillNumbering, second_above: Decimal | None = None
) -> list[InvoiceView]:
    """Invoices whose vendor invoice number, PO number or Bill number is `number` (any case), newest first;
    `second_above` is ACCOUNTING_SECOND_APPROVAL_ABOVE."""
    wanted = number.strip().lower()
    if not wanted:
        return []
    ids = session.scalars(
        select(Invoice.id)
        .join(Invoice.vendor)
        .where(
            or_(
                func.lower(Invoice.number) == wanted,
                func.lower(Invoice.po_number) == wanted,
                func.lower(Invoice.bill_number) == wanted,
                # Before its sync an invoice has no stored Bill number, but its answer already shows the composed one.
                and_(Invoice.bill_number.is_(None), func.lower(_composed_bill_number(numbering)) == wanted),
            )
        )
        .order_by(Invoice.id.desc())
        .limit(MAX_MATCHES)
    ).all()
    # The ERP's side is read only here: cards are redrawn far more often than anyone asks for a status.
    return [
        replace(load_view(session, i, numbering, second_above=second_above), erp=delivery_of(session, i)) for i in ids
    ]


def _composed_bill_number(numbering: BillNumbering) -> ColumnElement:
    columns = {"po_number": Invoice.po_number, "invoice_number": Invoice.number, "vendor_code": Vendor.code}
    composed = literal("")
    for text, name in numbering.parts():
        if text:
            composed = composed + literal(text)
        if name is not None:
            composed = composed + columns[name]
    return composed


def pending_for(session: Session, actor: Actor, numbering: BillNumbering) -> list[InvoiceView]:
    """Invoices waiting for something `actor`'s roles let them do, the longest waiting first (at most 25)."""
    return [load_view(session, invoice_id, numbering) for invoice_id, _ in waiting_ids(session, actor)[:25]]


def waiting_ids(session: Session, actor: Actor, limit: int = 200) -> list[tuple[int, Status]]:
    """(id, status) of the invoices waiting for something `actor`'s roles let them do, the longest waiting first;
    of the first `limit` in those statuses (the App Home counts up to MAX_WAITING)."""
    statuses = {status.value for role in actor.roles for status in _WAITING_FOR.get(role, ())}
    if not statuses:
        return []
    invoices = session.scalars(
        select(Invoice).where(Invoice.status.in_(statuses)).order_by(Invoice.stage_since, Invoice.id).limit(limit)
    ).all()
    return [
        (invoice.id, Status(invoice.status))
        for invoice in invoices
        # Segregation of duties: an invoice this person approved for Procurement is not theirs to approve again.
        if not (invoice.status == Status.PENDING_ACCOUNTING.value and actor.people & _approved_by(session, invoice))
    ]


def _approved_by(session: Session, invoice: Invoice) -> frozenset[str]:
    # Everyone this round's approvals count for: none of them may approve the invoice again.
    approvals = approvals_of(session, invoice)
    return approvals.procurement.union(*approvals.accounting)
