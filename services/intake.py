"""Receiving an uploaded vendor invoice: new invoice, new revision, identical repeat, or refusal."""

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoices.rules import ActionRefused, Actor, Role, decide
from invoices.statuses import Action, Status
from models import Invoice, InvoiceCharge, InvoiceLine, InvoiceRevision, Vendor
from services.audit import record_audit
from services.upload_payload import UploadIn

ERP = Actor(id="erp", roles=frozenset({Role.ERP}))


@dataclass(frozen=True)
class IntakeResult:
    """What an upload did; `refusal` explains a refused change."""

    invoice_id: int
    status: Status
    revision: int
    outcome: Literal["created", "revised", "unchanged", "refused"]
    refusal: str | None = None
    audit_id: int | None = None


def content_hash(upload: UploadIn) -> str:
    """A digest of the invoice's content (PO and invoice), insensitive to key order."""
    data = upload.canonical()
    content = {"purchase_order": data["purchase_order"], "invoice": data["invoice"]}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def receive_upload(session: Session, upload: UploadIn, delivery_id: str | None = None) -> IntakeResult:
    """Store an upload in the caller's transaction and say what it did."""
    vendor = _upsert_vendor(session, upload)
    digest = content_hash(upload)
    invoice = None if vendor.id is None else session.scalars(
        select(Invoice).where(Invoice.vendor_id == vendor.id, Invoice.number == upload.invoice.number)
        .with_for_update(of=Invoice)
    ).unique().one_or_none()
    if invoice is None:
        invoice = Invoice(vendor=vendor, number=upload.invoice.number, po_number=upload.purchase_order.number,
                          status=Status.PENDING_PROCUREMENT.value, revision=1)
        session.add(invoice)
        _add_revision(session, invoice, upload, digest, delivery_id)
        session.flush()
        entry = record_audit(session, invoice_id=invoice.id, actor=ERP.id, action="upload", outcome="allowed",
                             to_status=invoice.status, detail=f"revision 1, total {upload.invoice.total}")
        return IntakeResult(invoice.id, Status(invoice.status), 1, "created", audit_id=entry.id)
    if invoice.current.content_hash == digest:
        return IntakeResult(invoice.id, Status(invoice.status), invoice.revision, "unchanged")
    before = Status(invoice.status)
    try:
        after = decide(before, Action.REVISE, ERP)
    except ActionRefused as refused:
        message = f"A changed upload of invoice {invoice.number} was refused. {refused}"
        record_audit(session, invoice_id=invoice.id, actor=ERP.id, action=Action.REVISE, outcome="refused",
                     from_status=before, detail=message)
        return IntakeResult(invoice.id, before, invoice.revision, "refused", message)
    invoice.revision += 1
    invoice.version += 1
    invoice.status = after.value
    invoice.po_number = upload.purchase_order.number
    invoice.last_error = None
    _add_revision(session, invoice, upload, digest, delivery_id)
    session.flush()
    entry = record_audit(session, invoice_id=invoice.id, actor=ERP.id, action=Action.REVISE, outcome="allowed",
                         from_status=before, to_status=after,
                         detail=f"revision {invoice.revision}, total {upload.invoice.total}; approvals reset")
    return IntakeResult(invoice.id, after, invoice.revision, "revised", audit_id=entry.id)


def _upsert_vendor(session: Session, upload: UploadIn) -> Vendor:
    data = upload.vendor
    vendor = session.scalars(select(Vendor).where(Vendor.code == data.code)).one_or_none()
    if vendor is None:
        vendor = Vendor(code=data.code, name=data.name)
        session.add(vendor)
    vendor.name = data.name
    if data.qb_accounting_name is not None:
        vendor.qb_accounting_name = data.qb_accounting_name or None
    if data.default_class is not None:
        vendor.default_class = data.default_class or None
    return vendor


def _add_revision(session: Session, invoice: Invoice, upload: UploadIn, digest: str, delivery_id: str | None) -> None:
    data = upload.invoice
    revision = InvoiceRevision(
        number=invoice.revision, content_hash=digest, invoice_date=data.date,
        ship_date=upload.purchase_order.ship_date, po_class=upload.purchase_order.class_,
        currency=data.currency, total=data.total, attachment_url=data.attachment_url,
        payload=upload.canonical(), delivery_id=delivery_id,
        lines=[InvoiceLine(position=i, product=line.product, boxes=line.boxes, units=line.units,
                           unit_price=line.unit_price, amount=line.amount) for i, line in enumerate(data.lines)],
        charges=[InvoiceCharge(position=i, description=c.description, amount=c.amount)
                 for i, c in enumerate(data.charges)],
    )
    invoice.revisions.append(revision)
