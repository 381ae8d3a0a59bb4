"""Receiving an uploaded vendor invoice: new invoice, new revision, identical repeat, or refusal."""

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from invoices.audit import AuditKind
from invoices.duplicates import number_key
from invoices.events import InvoiceChanged
from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from models import Invoice, Vendor, WebhookDelivery
from services.changes.actions import apply_action
from services.changes.audit import record_audit
from services.changes.duplicates import flag_possible_duplicate
from services.changes.outbox import Change
from services.changes.unit_of_work import UnitOfWork
from services.intake.payload import UploadIn
from services.intake.revisions import current_revision, insert_revision
from services.intake.vendor_changes import apply_vendor_change, payee_after, vendor_change
from services.runtime import Runtime

ERP = Actor(id="erp", roles=frozenset({Role.ERP}))
DELIVERIES = "erp"
_INVOICES, _DELIVERIES = Invoice.__table__, WebhookDelivery.__table__


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
    # First uploads of one new vendor, or repeats of one webhook-id, race on unique keys before any row lock
    # exists; the loser retries and then finds the winner's rows (and their locks). An upload that found the
    # vendor changed under its shared lock retries with the exclusive one.
    exclusive = False
    for attempt in (1, 2, 3):
        try:
            with UnitOfWork(runtime) as uow:
                return _receive(uow, upload, delivery_id, exclusive)
        except _VendorChanges:
            exclusive = True
        except IntegrityError:
            if attempt == 3:
                raise
    with UnitOfWork(runtime) as uow:
        return _receive(uow, upload, delivery_id, True)


class _VendorChanges(Exception):
    """The upload changes its vendor, which needs the vendor's exclusive lock, not the shared one it took."""


def _receive(uow: UnitOfWork, upload: UploadIn, delivery_id: str | None, exclusive: bool) -> IntakeResult:
    session = uow.session
    if delivery_id is not None:
        seen = _seen_delivery(session, delivery_id)
        if seen is not None:
            return seen
    result = _receive_new(uow, upload, delivery_id, exclusive)
    if delivery_id is not None and result.outcome != "refused":
        session.execute(
            insert(_DELIVERIES),
            {
                "source": DELIVERIES,
                "delivery_id": delivery_key(delivery_id),
                "payload": {"invoice_id": result.invoice_id},
            },
        )
    return result


def delivery_key(delivery_id: str) -> str:
    """The stored key of a webhook-id (its SHA-256 in hex)."""
    # Hashed whole: ids longer than the column, or sharing a long prefix, stay distinct.
    return hashlib.sha256(delivery_id.encode("utf-8", "surrogatepass")).hexdigest()


def _shown_delivery_id(delivery_id: str | None) -> str | None:
    # Kept on the revision for people to trace; the idempotency check uses the hashed key instead.
    if delivery_id is None or len(delivery_id) <= 200:
        return delivery_id
    return delivery_key(delivery_id)


def _seen_delivery(session: Session, delivery_id: str) -> IntakeResult | None:
    """The invoice as it is now when this `webhook-id` was already taken (Standard Webhooks' idempotency key)."""
    payload = session.scalar(
        select(WebhookDelivery.payload).where(
            WebhookDelivery.source == DELIVERIES, WebhookDelivery.delivery_id == delivery_key(delivery_id)
        )
    )
    if payload is None:
        return None
    invoice = session.get(Invoice, payload["invoice_id"])
    return IntakeResult(invoice.id, Status(invoice.status), invoice.revision, "unchanged")


def _receive_new(uow: UnitOfWork, upload: UploadIn, delivery_id: str | None, exclusive: bool) -> IntakeResult:
    session = uow.session
    canonical = upload.canonical()
    digest = content_hash(upload, canonical)
    # Every upload of a vendor locks the vendor's row first, then the invoice's, each on its own table (a lock
    # taken through a join is re-checked against the row a concurrent upload just revised, and lost). Uploads
    # that leave the vendor as it is share its lock and run side by side; a vendor change takes it alone, so no
    # invoice is created paying a name that is being replaced.
    vendor = session.scalars(
        select(Vendor)
        .where(Vendor.code == upload.vendor.code)
        .with_for_update(read=not exclusive)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if vendor is not None and not exclusive and vendor_change(vendor, upload.vendor).fields:
        raise _VendorChanges()
    invoice = (
        None
        if vendor is None
        else session.scalars(
            select(Invoice)
            .where(Invoice.vendor_id == vendor.id, Invoice.number == upload.invoice.number)
            .with_for_update(of=Invoice)
            .execution_options(populate_existing=True)
        ).one_or_none()
    )
    if invoice is None:
        return _create(uow, vendor, upload, canonical, digest, delivery_id)
    change = vendor_change(vendor, upload.vendor)
    payee = payee_after(vendor, upload.vendor)
    current = current_revision(session, invoice.id, invoice.revision)
    if current.content_hash == digest and current.qb_accounting_name == payee:
        apply_vendor_change(uow, vendor, change, ERP, invoice)
        return IntakeResult(invoice.id, Status(invoice.status), invoice.revision, "unchanged")
    reason = f"revision {invoice.revision + 1}, total {upload.invoice.total}"
    if current.qb_accounting_name != payee:
        reason += f"; pays {_quoted(payee)} instead of {_quoted(current.qb_accounting_name)}"
    result = apply_action(
        uow,
        invoice.id,
        Action.REVISE,
        ERP,
        values={"po_number": upload.purchase_order.number},
        reason=reason + "; approvals reset",
    )
    if not result.changed:
        # Nothing of a refused upload is stored, not even its vendor details: only the refusal's audit entry.
        message = f"A changed upload of invoice {invoice.number} was refused. {result.refusal}"
        return IntakeResult(invoice.id, result.before, invoice.revision, "refused", message, result.audit_id)
    insert_revision(
        session, invoice.id, invoice.revision, upload, canonical, digest, payee, _shown_delivery_id(delivery_id)
    )
    # The revision went in beside the unit of work; a collection loaded earlier would not show it.
    session.expire(invoice, ["revisions"])
    apply_vendor_change(uow, vendor, change, ERP, invoice)
    return IntakeResult(invoice.id, result.after, invoice.revision, "revised", audit_id=result.audit_id)


def _create(
    uow: UnitOfWork, vendor: Vendor | None, upload: UploadIn, canonical: dict, digest: str, delivery_id: str | None
) -> IntakeResult:
    session = uow.session
    stated = upload.vendor
    change = None
    if vendor is None:
        vendor = Vendor(
            code=stated.code,
            name=stated.name,
            qb_accounting_name=stated.qb_accounting_name,
            default_class=stated.default_class,
        )
        session.add(vendor)
        session.flush()
    else:
        change = vendor_change(vendor, stated)
    payee = payee_after(vendor, stated)
    status = Status.PENDING_PROCUREMENT
    invoice_id = session.execute(
        insert(_INVOICES).returning(_INVOICES.c.id),
        {
            "vendor_id": vendor.id,
            "number": upload.invoice.number,
            "number_key": number_key(upload.invoice.number),
            "po_number": upload.purchase_order.number,
            "status": status.value,
            "revision": 1,
            "event_sequence": 1,
        },
    ).scalar_one()
    insert_revision(session, invoice_id, 1, upload, canonical, digest, payee, _shown_delivery_id(delivery_id))
    entry = record_audit(
        session,
        invoice_id=invoice_id,
        actor=ERP.id,
        action=AuditKind.UPLOAD,
        outcome="allowed",
        to_status=status.value,
        detail=f"revision 1, total {upload.invoice.total}",
    )
    if change is not None and change.fields:
        apply_vendor_change(uow, vendor, change, ERP, session.get(Invoice, invoice_id))
    uow.note(Change(invoice_id, None, ERP.id, sequence=1))
    uow.emit(InvoiceChanged(invoice_id, entry.id))
    flag_possible_duplicate(uow, invoice_id, vendor.id, upload.invoice.number)
    return IntakeResult(invoice_id, status, 1, "created", audit_id=entry.id)


def _quoted(value: str | None) -> str:
    return f"'{value}'" if value else "no QB accounting name"
