"""A vendor's details as an upload states them: every change audited, and a new payee re-opens approvals."""

from dataclasses import dataclass

from sqlalchemy import select

from invoices.audit import AuditKind
from invoices.rules import Actor
from invoices.statuses import Action, Status
from models import Invoice, Vendor
from services.changes.actions import apply_action
from services.changes.audit import record_audit
from services.changes.unit_of_work import UnitOfWork
from services.intake.payload import VendorIn
from services.intake.revisions import copy_revision, current_revision

# Invoices not yet handed to QuickBooks (or whose hand-over failed) pay whatever the vendor is called when
# they are sent, so a new payee must be approved again; R stays closed, ES/S/P keep the payee they were sent with.
REOPENED = (Status.PENDING_PROCUREMENT, Status.PENDING_ACCOUNTING, Status.APPROVED, Status.FAILED)
_LABELS = {"name": "name", "qb_accounting_name": "QB accounting name", "default_class": "default class"}


@dataclass(frozen=True)
class VendorChange:
    """What an upload changes on a stored vendor: field → (old, new)."""

    code: str
    fields: dict[str, tuple[str | None, str | None]]

    @property
    def payee(self) -> str | None:
        """The QB accounting name the vendor has after the change."""
        return self.fields["qb_accounting_name"][1] if "qb_accounting_name" in self.fields else None

    def describe(self) -> str:
        """E.g. "QB accounting name 'Flores SAS' → 'Flores S.A.S.'"."""
        return "; ".join(f"{_LABELS[name]} {_quoted(old)} → {_quoted(new)}" for name, (old, new) in self.fields.items())


def vendor_change(vendor: Vendor, stated: VendorIn) -> VendorChange:
    """What `stated` changes on `vendor`; optional fields left out of the upload change nothing."""
    wanted = {
        "name": stated.name,
        "qb_accounting_name": stated.qb_accounting_name,
        "default_class": stated.default_class,
    }
    fields = {
        name: (getattr(vendor, name), value)
        for name, value in wanted.items()
        if value is not None and value != getattr(vendor, name)
    }
    return VendorChange(vendor.code, fields)


def payee_after(vendor: Vendor, stated: VendorIn) -> str | None:
    """The QuickBooks vendor an invoice of this upload pays: the stated name, else the stored one."""
    return stated.qb_accounting_name if stated.qb_accounting_name is not None else vendor.qb_accounting_name


def apply_vendor_change(uow: UnitOfWork, vendor: Vendor, change: VendorChange, actor: Actor, invoice: Invoice) -> None:
    """Store `change` (the vendor row is locked), re-open the vendor's other open invoices, audit it on `invoice`."""
    if not change.fields:
        return
    for name, (_, new) in change.fields.items():
        setattr(vendor, name, new)
    reopened = []
    if "qb_accounting_name" in change.fields:
        reopened = _reopen_for_payee(uow, vendor, change, actor, invoice)
    detail = f"vendor {change.code}: {change.describe()}"
    if reopened:
        detail += f"; approvals reset on invoice{'s' if len(reopened) > 1 else ''} {', '.join(reopened)}"
    record_audit(
        uow.session,
        invoice_id=invoice.id,
        actor=actor.id,
        action=AuditKind.VENDOR_CHANGE,
        outcome="allowed",
        detail=detail,
    )


def _reopen_for_payee(
    uow: UnitOfWork, vendor: Vendor, change: VendorChange, actor: Actor, uploaded: Invoice
) -> list[str]:
    session = uow.session
    others = session.scalars(
        select(Invoice)
        .where(
            Invoice.vendor_id == vendor.id, Invoice.id != uploaded.id, Invoice.status.in_([s.value for s in REOPENED])
        )
        .order_by(Invoice.id)
        .with_for_update(of=Invoice)
        .execution_options(populate_existing=True)
    ).all()
    reopened = []
    for other in others:
        source = current_revision(session, other.id, other.revision)
        if source.qb_accounting_name == change.payee:
            continue
        reason = (
            f"revision {other.revision + 1}: the QB accounting name of vendor {change.code} changed from "
            f"{_quoted(source.qb_accounting_name)} to {_quoted(change.payee)} with invoice {uploaded.number}; "
            f"approvals reset"
        )
        result = apply_action(uow, other.id, Action.REVISE, actor, values={"po_number": other.po_number}, reason=reason)
        if result.changed:
            copy_revision(session, source, result.invoice.revision, change.payee)
            session.expire(result.invoice, ["revisions"])
            reopened.append(other.number)
    return reopened


def _quoted(value: str | None) -> str:
    return f"'{value}'" if value else "(none)"
