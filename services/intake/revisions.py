"""Writing revisions: immutable rows inserted once, from an upload or as a copy that pays another vendor name."""

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import InvoiceCharge, InvoiceLine, InvoiceRevision
from services.intake.payload import UploadIn

# Revisions are written once and never changed, so they skip the unit of work and go in as plain inserts.
_REVISIONS, _LINES, _CHARGES = InvoiceRevision.__table__, InvoiceLine.__table__, InvoiceCharge.__table__


def current_revision(session: Session, invoice_id: int, number: int) -> InvoiceRevision:
    """Revision `number` of an invoice, read fresh (after the invoice's row lock was taken)."""
    return session.scalars(
        select(InvoiceRevision)
        .where(InvoiceRevision.invoice_id == invoice_id, InvoiceRevision.number == number)
        .execution_options(populate_existing=True)
    ).one()


def insert_revision(
    session: Session,
    invoice_id: int,
    number: int,
    upload: UploadIn,
    canonical: dict,
    digest: str,
    payee: str | None,
    delivery_id: str | None,
) -> None:
    """Store revision `number` of an invoice as uploaded, paying the QuickBooks vendor `payee`."""
    data = upload.invoice
    revision_id = session.execute(
        insert(_REVISIONS).returning(_REVISIONS.c.id),
        {
            "invoice_id": invoice_id,
            "number": number,
            "content_hash": digest,
            "invoice_date": data.date,
            "ship_date": upload.purchase_order.ship_date,
            "po_class": upload.purchase_order.class_,
            "qb_accounting_name": payee,
            "currency": data.currency,
            "total": data.total,
            "attachment_url": data.attachment_url,
            "payload": canonical,
            "delivery_id": delivery_id,
        },
    ).scalar_one()
    _insert_items(
        session,
        revision_id,
        [
            {"product": x.product, "boxes": x.boxes, "units": x.units, "unit_price": x.unit_price, "amount": x.amount}
            for x in data.lines
        ],
        [{"description": c.description, "amount": c.amount} for c in data.charges],
    )


def copy_revision(session: Session, source: InvoiceRevision, number: int, payee: str | None) -> None:
    """Store revision `number` with the content of `source` and a new payee (a vendor-level name change)."""
    columns = [
        c for c in _REVISIONS.c if c.name not in ("id", "number", "qb_accounting_name", "delivery_id", "received_at")
    ]
    values = {c.name: getattr(source, c.key) for c in columns}
    revision_id = session.execute(
        insert(_REVISIONS).returning(_REVISIONS.c.id),
        {
            **values,
            "number": number,
            "qb_accounting_name": payee,
        },
    ).scalar_one()
    _insert_items(
        session,
        revision_id,
        [
            {"product": x.product, "boxes": x.boxes, "units": x.units, "unit_price": x.unit_price, "amount": x.amount}
            for x in source.lines
        ],
        [{"description": c.description, "amount": c.amount} for c in source.charges],
    )


def _insert_items(session: Session, revision_id: int, lines: list[dict], charges: list[dict]) -> None:
    session.execute(
        insert(_LINES), [{"revision_id": revision_id, "position": i, **line} for i, line in enumerate(lines)]
    )
    if charges:
        session.execute(
            insert(_CHARGES),
            [{"revision_id": revision_id, "position": i, **charge} for i, charge in enumerate(charges)],
        )
