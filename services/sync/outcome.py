"""Recording what QuickBooks did with an invoice's Bill: Synchronized, Failed, deleted, paid, drifted."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from invoices.audit import AuditKind
from invoices.bill import InvoiceFacts, LineFacts, traced
from invoices.books import redated_note
from invoices.events import AttachmentDue, InvoiceChanged
from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from models import AuditEntry, Invoice
from models.base import utcnow
from services.changes.actions import apply_action
from services.changes.audit import record_audit
from services.changes.outbox import Change
from services.changes.unit_of_work import UnitOfWork
from services.runtime import Runtime

SYSTEM = Actor("invoice-sync", frozenset({Role.SYSTEM}))


def facts_of(invoice: Invoice) -> InvoiceFacts:
    """The mapping's view of an invoice's current revision (call inside its session)."""
    revision = invoice.current
    return InvoiceFacts(
        invoice_id=invoice.id,
        revision=invoice.revision,
        po_number=invoice.po_number,
        invoice_number=invoice.number,
        vendor_code=invoice.vendor.code,
        vendor_qb_name=revision.qb_accounting_name,
        vendor_default_class=invoice.vendor.default_class,
        po_class=revision.po_class,
        ship_date=revision.ship_date,
        total=revision.total,
        lines=tuple(LineFacts(x.product, x.amount, x.units, x.unit_price) for x in revision.lines),
        charges=tuple(LineFacts(c.description, c.amount) for c in revision.charges),
        currency=revision.currency,
    )


def complete(runtime: Runtime, invoice_id: int, bill: dict, confirmed: bool = False, adopted: bool = False) -> str:
    """ES → S for a Bill of ours (`adopted`: found, not created) whose total matches to the cent, else ES → F."""
    total = Decimal(str(bill["TotalAmt"]))
    number, bill_id = bill.get("DocNumber") or "", str(bill["Id"])
    with UnitOfWork(runtime) as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        if invoice is None:
            return "skipped"
        made_for = (traced(bill.get("PrivateNote")) or (None, None))[1] or invoice.revision
        if invoice.status != Status.SENT.value or made_for != invoice.revision:
            _report_stray(uow, invoice, bill, made_for)
            return "skipped"
        expected = invoice.current.total
        if total != expected:
            action, why = Action.SYNC_FAILED, "total_mismatch"
            detail = (
                f"QuickBooks computed a total of {total} for Bill {number} (QuickBooks id {bill_id}) but the "
                f"invoice total is {expected}: correct the Bill in QuickBooks, then Retry"
            )
        else:
            action, why = Action.SYNC_SUCCEEDED, None
            detail = f"Synchronized as Bill {number} (QuickBooks id {bill_id})"
            dated, shipped = bill.get("TxnDate"), invoice.current.ship_date
            note = redated_note(shipped, date.fromisoformat(dated[:10])) if dated else ""
            if dated and date.fromisoformat(dated[:10]) != shipped and note in (bill.get("PrivateNote") or ""):
                # CLOSED_BOOKS=next_open_day dated it after a closed period: the thread says so, as the Bill does.
                detail += ". " + note
        values = {"bill_id": bill_id, "bill_number": number, **({"bill_confirmed_at": utcnow()} if confirmed else {})}
        result = apply_action(uow, invoice_id, action, SYSTEM, reason=detail, values=values)
        if result.after is Status.SYNCHRONIZED and invoice.current.attachment_url:
            # The Bill exists, created or adopted: its file goes on it (services/files/attachment.py), once.
            uow.emit(AttachmentDue(invoice_id))
    runtime.meter.sync_ended(result.after.value, why, adopted)
    return result.after.value


def _report_stray(uow: UnitOfWork, invoice: Invoice, bill: dict, made_for: int) -> None:
    """Tell the thread and /invoice status (last error) of a Bill created for an invoice that left ES meanwhile."""
    status = Status(invoice.status)
    bill_name = f"Bill {bill.get('DocNumber')} (QuickBooks id {bill['Id']})"
    if made_for == invoice.revision and status is Status.APPROVED:
        advice = "Send to External System adopts it; if this invoice must not be booked, delete that Bill in QuickBooks"
    else:
        advice = (
            f"it is not linked to the invoice (now revision {invoice.revision}, {status.label}): delete that "
            f"Bill in QuickBooks"
        )
    detail = (
        f"{bill_name} was created in QuickBooks for revision {made_for} while the invoice was being returned "
        f"to Approved; {advice}"
    )
    seen = uow.session.scalars(
        select(AuditEntry.id).where(AuditEntry.invoice_id == invoice.id, AuditEntry.detail == detail)
    ).first()
    if seen:
        return
    invoice.last_error = detail
    entry = record_audit(
        uow.session,
        invoice_id=invoice.id,
        actor=SYSTEM.id,
        action=AuditKind.STRAY_BILL,
        outcome="allowed",
        from_status=invoice.status,
        to_status=invoice.status,
        detail=detail,
    )
    uow.emit(InvoiceChanged(invoice.id, entry.id))


def fail(runtime: Runtime, invoice_id: int, refusal: Exception) -> str:
    """ES → F keeping the refusal (what a person must fix) as the invoice's last error."""
    status = _apply_if(runtime, invoice_id, Status.SENT, Action.SYNC_FAILED, str(refusal))
    runtime.meter.sync_ended(status, refusal)
    return status


def bill_gone(runtime: Runtime, invoice_id: int, action: Action, detail: str) -> str:
    """S → A (Bill deleted) or S → P (Bill paid), announced; anything else leaves the invoice as it is."""
    return _apply_if(runtime, invoice_id, Status.SYNCHRONIZED, action, detail)


def _apply_if(runtime: Runtime, invoice_id: int, status: Status, action: Action, detail: str) -> str:
    # Events arrive late and twice: an invoice that already left `status` is skipped, not audited as refused.
    with UnitOfWork(runtime) as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        if invoice is None or invoice.status != status.value:
            return "skipped"
        return apply_action(uow, invoice_id, action, SYSTEM, reason=detail).after.value


def report_drift(runtime: Runtime, invoice_id: int, bill: dict) -> bool:
    """Audit and announce a Bill whose total no longer matches the invoice, once per distinct total."""
    total = Decimal(str(bill["TotalAmt"]))
    with UnitOfWork(runtime) as uow:
        session = uow.session
        invoice = session.get(Invoice, invoice_id)
        if invoice is None or total == invoice.current.total:
            return False
        detail = (
            f"Bill {bill.get('DocNumber')} (QuickBooks id {bill['Id']}) was changed in QuickBooks: its total "
            f"is now {total}, the invoice total is {invoice.current.total}"
        )
        seen = session.scalars(
            select(AuditEntry.id).where(AuditEntry.invoice_id == invoice_id, AuditEntry.detail == detail)
        ).first()
        if seen:
            return False
        entry = record_audit(
            session,
            invoice_id=invoice_id,
            actor=SYSTEM.id,
            action=AuditKind.BILL_TOTAL_DRIFT,
            outcome="allowed",
            from_status=invoice.status,
            to_status=invoice.status,
            detail=detail,
        )
        uow.emit(InvoiceChanged(invoice_id, entry.id))
    return True


def report_balance(runtime: Runtime, invoice_id: int, bill: dict) -> bool:
    """Announce a Bill partly paid (S), or no longer fully paid (P → S, a payment voided or deleted)."""
    total = Decimal(str(bill["TotalAmt"]))
    balance = Decimal(str(bill["Balance"])) if bill.get("Balance") is not None else total
    name = f"Bill {bill.get('DocNumber')} (QuickBooks id {bill['Id']})"
    paid = f"paid {total - balance:,.2f} of {total:,.2f}; {balance:,.2f} left"
    with UnitOfWork(runtime) as uow:
        session = uow.session
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            return False
        last = session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.invoice_id == invoice_id, AuditEntry.action == AuditKind.BILL_BALANCE)
            .order_by(AuditEntry.id.desc())
        ).first()
        if invoice.status == Status.PAID.value and balance > 0:
            apply_action(
                uow,
                invoice_id,
                Action.BILL_UNPAID,
                SYSTEM,
                reason=(f"{name} is no longer fully paid in QuickBooks (a payment was voided or deleted): {paid}"),
                balance=balance,
            )
            return True
        if invoice.status == Status.SYNCHRONIZED.value and 0 < balance < total:
            detail = f"{name} was partly paid in QuickBooks: {paid}"
        elif invoice.status == Status.SYNCHRONIZED.value and balance == total and last is not None:
            detail = f"{name} has no payment left in QuickBooks (a payment was voided or deleted): {paid}"
        else:
            return False
        if detail == last:
            return False
        entry = record_audit(
            session,
            invoice_id=invoice_id,
            actor=SYSTEM.id,
            action=AuditKind.BILL_BALANCE,
            outcome="allowed",
            from_status=invoice.status,
            to_status=invoice.status,
            detail=detail,
        )
        uow.note(Change.of_balance(invoice_id, Status.SYNCHRONIZED, balance, SYSTEM.id))
        uow.emit(InvoiceChanged(invoice_id, entry.id))
    return True


def confirm(runtime: Runtime, invoice_id: int) -> None:
    """Record that QuickBooks itself reported the Bill (webhook or CDC) for a Synchronized invoice."""
    with UnitOfWork(runtime) as uow:
        invoice = uow.session.get(Invoice, invoice_id)
        if invoice is not None and invoice.bill_confirmed_at is None:
            invoice.bill_confirmed_at = utcnow()
