"""Receiving an uploaded vendor invoice: new invoice, new revision, identical repeat, or refusal."""

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from invoices.events import InvoiceChanged
from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from models import Invoice, InvoiceCharge, InvoiceLine, InvoiceRevision, Vendor, WebhookDelivery
from services.actions import apply_action
from services.audit import record_audit
from services.runtime import Runtime
from services.unit_of_work import UnitOfWork
from services.upload_payload import UploadIn

ERP = Actor(id="erp", roles=frozenset({Role.ERP}))
DELIVERIES = "erp"
# Revisions are immutable rows written once, so they skip the unit of work and go in as plain inserts.
_INVOICES, _REVISIONS = Invoice.__table__, InvoiceRevision.__table__
_LINES, _CHARGES = InvoiceLine.__table__, InvoiceCharge.__table__


@dataclass(frozen=True)
class IntakeResult:
    """What an upload did; `refusal` explains a refused change."""

    invoice_id: int
    status: Status
    revision: int
    outcome: Literal["created", "revised", "unchanged", "refused"]
    refusal: str | None = None
    audit_id: int | None = None


def content_hash(upload: UploadIn, canonical: dict | None = None) -> str:
    """A digest of the invoice's content (PO and invoice), insensitive to key order."""
    data = canonical if canonical is not None else upload.canonical()
    content = {"purchase_order": data["purchase_order"], "invoice": data["invoice"]}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def receive_upload(runtime: Runtime, upload: UploadIn, delivery_id: str | None = None) -> IntakeResult:
    """Store an upload in its own unit of work and say what it did; a change is announced after commit."""
    # Two first uploads of one invoice can race on the unique keys; the loser retries and sees the winner.
    for attempt in (1, 2):
        try:
            with UnitOfWork(runtime) as uow:
                return _receive(uow, upload, delivery_id)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _receive(uow: UnitOfWork, upload: UploadIn, delivery_id: str | None) -> IntakeResult:
    session = uow.session
    if delivery_id is not None:
        seen = _seen_delivery(session, delivery_id)
        if seen is not None:
            return seen
    result = _receive_new(uow, upload, delivery_id)
    if delivery_id is not None and result.outcome != "refused":
        session.add(WebhookDelivery(source=DELIVERIES, delivery_id=_delivery_key(delivery_id),
                                    payload={"invoice_id": result.invoice_id}))
    return result


def _delivery_key(delivery_id: str) -> str:
    # Hashed whole: ids longer than the column, or sharing a long prefix, stay distinct.
    return hashlib.sha256(delivery_id.encode("utf-8", "surrogatepass")).hexdigest()


def _shown_delivery_id(delivery_id: str | None) -> str | None:
    # Kept on the revision for people to trace; the idempotency check uses the hashed key instead.
    if delivery_id is None or len(delivery_id) <= 200:
        return delivery_id
    return _delivery_key(delivery_id)


def _seen_delivery(session: Session, delivery_id: str) -> IntakeResult | None:
    """The invoice as it is now when this `webhook-id` was already taken (Standard Webhooks' idempotency key)."""
    payload = session.scalar(select(WebhookDelivery.payload).where(
        WebhookDelivery.source == DELIVERIES, WebhookDelivery.delivery_id == _delivery_key(delivery_id)))
    if payload is None:
        return None
    invoice = session.get(Invoice, payload["invoice_id"])
    return IntakeResult(invoice.id, Status(invoice.status), invoice.revision, "unchanged")


def _receive_new(uow: UnitOfWork, upload: UploadIn, delivery_id: str | None) -> IntakeResult:
    session = uow.session
    canonical = upload.canonical()
    digest = content_hash(upload, canonical)
    found = session.execute(
        select(Invoice, InvoiceRevision.content_hash)
        .join(Invoice.vendor).options(contains_eager(Invoice.vendor))
        .join(InvoiceRevision, (InvoiceRevision.invoice_id == Invoice.id) & (InvoiceRevision.number == Invoice.revision))
        .where(Vendor.code == upload.vendor.code, Invoice.number == upload.invoice.number)
        .with_for_update(of=Invoice)
    ).one_or_none()
    if found is None:
        return _create(uow, upload, canonical, digest, delivery_id)
    invoice, current_hash = found
    _update_vendor(invoice.vendor, upload)
    if current_hash == digest:
        return IntakeResult(invoice.id, Status(invoice.status), invoice.revision, "unchanged")
    result = apply_action(uow, invoice.id, Action.REVISE, ERP, values={"po_number": upload.purchase_order.number},
                          reason=f"revision {invoice.revision + 1}, total {upload.invoice.total}; approvals reset")
    if not result.changed:
        message = f"A changed upload of invoice {invoice.number} was refused. {result.refusal}"
        return IntakeResult(invoice.id, result.before, invoice.revision, "refused", message, result.audit_id)
    _insert_revision(session, invoice.id, invoice.revision, upload, canonical, digest, delivery_id)
    # The revision went in beside the unit of work; a collection loaded earlier would not show it.
    session.expire(invoice, ["revisions"])
    return IntakeResult(invoice.id, result.after, invoice.revision, "revised", audit_id=result.audit_id)


def _create(uow: UnitOfWork, upload: UploadIn, canonical: dict, digest: str, delivery_id: str | None) -> IntakeResult:
    session = uow.session
    vendor = session.scalars(select(Vendor).where(Vendor.code == upload.vendor.code)).one_or_none()
    if vendor is None:
        vendor = Vendor(code=upload.vendor.code, name=upload.vendor.name)
        session.add(vendor)
    _update_vendor(vendor, upload)
    if vendor.id is None:
        session.flush()
    status = Status.PENDING_PROCUREMENT
    invoice_id = session.execute(insert(_INVOICES).returning(_INVOICES.c.id), {
        "vendor_id": vendor.id, "number": upload.invoice.number, "po_number": upload.purchase_order.number,
        "status": status.value, "revision": 1,
    }).scalar_one()
    _insert_revision(session, invoice_id, 1, upload, canonical, digest, delivery_id)
    entry = record_audit(session, invoice_id=invoice_id, actor=ERP.id, action="upload", outcome="allowed",
                         to_status=status.value, detail=f"revision 1, total {upload.invoice.total}")
    uow.emit(InvoiceChanged(invoice_id, entry.id))
    return IntakeResult(invoice_id, status, 1, "created", audit_id=entry.id)


def _update_vendor(vendor: Vendor, upload: UploadIn) -> None:
    data = upload.vendor
    vendor.name = data.name
    if data.qb_accounting_name is not None:
        vendor.qb_accounting_name = data.qb_accounting_name or None
    if data.default_class is not None:
        vendor.default_class = data.default_class or None


def _insert_revision(session: Session, invoice_id: int, number: int, upload: UploadIn, canonical: dict,
                     digest: str, delivery_id: str | None) -> None:
    data = upload.invoice
    revision_id = session.execute(insert(_REVISIONS).returning(_REVISIONS.c.id), {
        "invoice_id": invoice_id, "number": number, "content_hash": digest, "invoice_date": data.date,
        "ship_date": upload.purchase_order.ship_date, "po_class": upload.purchase_order.class_,
        "currency": data.currency, "total": data.total, "attachment_url": data.attachment_url,
        "payload": canonical, "delivery_id": _shown_delivery_id(delivery_id),
    }).scalar_one()
    session.execute(insert(_LINES), [
        {"revision_id": revision_id, "position": i, "product": line.product, "boxes": line.boxes,
         "units": line.units, "unit_price": line.unit_price, "amount": line.amount}
        for i, line in enumerate(data.lines)
    ])
    if data.charges:
        session.execute(insert(_CHARGES), [
            {"revision_id": revision_id, "position": i, "description": c.description, "amount": c.amount}
            for i, c in enumerate(data.charges)
        ])
