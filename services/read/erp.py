"""What the ERP may ask for: an invoice as it is now, and the feed of every event, oldest first."""

from sqlalchemy import and_, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from invoices.erp import STAMP, InvoiceState, event_data
from invoices.statuses import Status
from models import ErpEndpoint, ErpEvent, Invoice, InvoiceRevision, Vendor
from models.base import utcnow
from services.views import ErpDelivery

MAX_PAGE = 500
# invoices.id and erp_events.id are INTEGER columns: PostgreSQL refuses a larger number even to compare with them.
MAX_ID = 2**31 - 1


def invoice_state(session: Session, invoice_id: int) -> InvoiceState | None:
    """The invoice as the ERP is told of it, read in one statement."""
    row = session.execute(
        select(
            Invoice.id,
            Vendor.code,
            Invoice.po_number,
            Invoice.number,
            Invoice.revision,
            Invoice.status,
            Invoice.bill_id,
            Invoice.bill_number,
            InvoiceRevision.total,
            Invoice.last_error,
        )
        .join(Vendor, Vendor.id == Invoice.vendor_id)
        .outerjoin(
            InvoiceRevision, and_(InvoiceRevision.invoice_id == Invoice.id, InvoiceRevision.number == Invoice.revision)
        )
        .where(Invoice.id == invoice_id)
    ).one_or_none()
    if row is None:
        return None
    return InvoiceState(*row[:5], Status(row[5]), *row[6:])


def held_state(session: Session, invoice_id: int) -> InvoiceState | None:
    """The invoice as the ERP is told of it from the session's own copy, when it holds one with its revisions
    loaded (as a status change does), so no statement is needed; else read it (invoice_state)."""
    invoice = session.identity_map.get(identity_key(Invoice, invoice_id))
    if invoice is None or "revisions" not in invoice.__dict__ or inspect(invoice).expired_attributes:
        return invoice_state(session, invoice_id)
    current = next((r for r in invoice.revisions if r.number == invoice.revision), None)
    return InvoiceState(
        invoice.id,
        invoice.vendor.code,
        invoice.po_number,
        invoice.number,
        invoice.revision,
        Status(invoice.status),
        invoice.bill_id,
        invoice.bill_number,
        current.total if current else None,
        invoice.last_error,
    )


def invoice_data(session: Session, invoice_id: int) -> dict | None:
    """The `data` object of the invoice as it is now: its last event's, or (no event yet) read afresh."""
    if not 0 < invoice_id <= MAX_ID:
        return None
    last = session.scalars(
        select(ErpEvent.body).where(ErpEvent.invoice_id == invoice_id).order_by(ErpEvent.sequence.desc()).limit(1)
    ).first()
    if last is not None:
        return last["data"]
    state = invoice_state(session, invoice_id)
    if state is None:
        return None
    return event_data(state, sequence=0, previous=None, actor=None, at=utcnow().strftime(STAMP))


def find_invoice(session: Session, vendor_code: str, invoice_number: str | None, po_number: str | None) -> int | None:
    """The id of the invoice of `vendor_code` with that invoice number (or PO number), if there is one."""
    query = select(Invoice.id).join(Vendor, Vendor.id == Invoice.vendor_id).where(Vendor.code == vendor_code)
    if invoice_number is not None:
        query = query.where(Invoice.number == invoice_number)
    if po_number is not None:
        query = query.where(Invoice.po_number == po_number)
    return session.scalars(query.order_by(Invoice.id).limit(1)).first()


def events_after(session: Session, after: int, limit: int) -> list[tuple[int, dict]]:
    """Up to `limit` events with ids above `after`, oldest first, each as (id, body): the primary key pages it."""
    if after >= MAX_ID:
        return []
    rows = session.execute(
        select(ErpEvent.id, ErpEvent.body).where(ErpEvent.id > after).order_by(ErpEvent.id).limit(min(limit, MAX_PAGE))
    )
    return [(event_id, body) for event_id, body in rows]


def delivery_of(session: Session, invoice_id: int) -> ErpDelivery | None:
    """What the ERP heard of the invoice, or None when none of its events was ever meant to be pushed."""
    rows = session.execute(
        select(ErpEvent.body, ErpEvent.next_attempt_at, ErpEvent.delivered_at, ErpEvent.dead_at, ErpEvent.last_answer)
        .where(ErpEvent.invoice_id == invoice_id)
        .order_by(ErpEvent.sequence)
    ).all()
    pushed = [row for row in rows if row.next_attempt_at or row.delivered_at or row.dead_at]
    if not pushed:
        return None
    delivered = [row for row in pushed if row.delivered_at]
    dead = [row for row in pushed if row.dead_at]
    paused = session.scalar(select(ErpEndpoint.gone_since).where(ErpEndpoint.id == 1)) is not None
    return ErpDelivery(
        delivered=len(delivered),
        waiting=sum(1 for row in pushed if row.next_attempt_at),
        dead=len(dead),
        last_told=Status(delivered[-1].body["data"]["status"]) if delivered else None,
        dead_answer=dead[-1].last_answer if dead else None,
        paused=paused,
    )
