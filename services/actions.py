"""Applying a person's or the system's action to an invoice: decide, change once, audit."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from invoices.bill import compose_bill_number
from invoices.rules import ActionRefused, Actor, decide, send_blockers
from invoices.statuses import Action, Status
from models import Decision, Invoice
from models.base import utcnow
from services.audit import record_audit

_DEPARTMENT = {Status.PENDING_PROCUREMENT: "procurement", Status.PENDING_ACCOUNTING: "accounting"}
_OUTCOME = {Action.APPROVE: "approved", Action.REJECT: "rejected", Action.RETURN_TO_PROCUREMENT: "returned"}


class InvoiceNotFound(Exception):
    """No invoice has that id."""


@dataclass(frozen=True)
class ActionResult:
    """The invoice after an action; `refusal` holds the reason when nothing changed."""

    invoice: Invoice
    before: Status
    after: Status
    audit_id: int
    refusal: str | None = None

    @property
    def changed(self) -> bool:
        """True when the action moved the invoice."""
        return self.refusal is None


def procurement_approver(session: Session, invoice: Invoice) -> str | None:
    """Who approved the invoice's current revision for Procurement, if anyone."""
    return session.scalars(
        select(Decision.user_id).where(
            Decision.invoice_id == invoice.id, Decision.revision == invoice.revision,
            Decision.department == "procurement", Decision.outcome == "approved",
        ).order_by(Decision.id.desc())
    ).first()


def check_action(
    session: Session,
    invoice: Invoice,
    action: Action,
    actor: Actor,
    *,
    reason: str | None = None,
    expected_status: Status | None = None,
    bill_number_format: str | None = None,
) -> Status:
    """The status `action` would lead to now, or ActionRefused; changes nothing.

    With `bill_number_format`, a Bill number QuickBooks would refuse blocks Send and Retry too.
    """
    status = Status(invoice.status)
    if expected_status is not None and status is not expected_status:
        raise ActionRefused(
            f"This card was out of date: the invoice is now {status.label}, not {expected_status.label}."
        )
    return decide(
        status, action, actor, reason=reason,
        procurement_approver=procurement_approver(session, invoice),
        send_blockers=send_blockers(invoice.vendor.qb_accounting_name, _bill_number(invoice, bill_number_format)),
    )


def _bill_number(invoice: Invoice, bill_number_format: str | None) -> str | None:
    if bill_number_format is None:
        return None
    return compose_bill_number(bill_number_format, po_number=invoice.po_number, invoice_number=invoice.number,
                               vendor_code=invoice.vendor.code)


def apply_action(
    session: Session,
    invoice_id: int,
    action: Action,
    actor: Actor,
    *,
    reason: str | None = None,
    expected_status: Status | None = None,
    bill_number_format: str | None = None,
) -> ActionResult:
    """Apply `action` once under a row lock, in the caller's transaction; refusals are audited too."""
    invoice = session.get(Invoice, invoice_id, with_for_update={"of": Invoice}, populate_existing=True)
    if invoice is None:
        raise InvoiceNotFound(f"There is no invoice with id {invoice_id}.")
    before = Status(invoice.status)
    try:
        after = check_action(session, invoice, action, actor, reason=reason, expected_status=expected_status,
                             bill_number_format=bill_number_format)
    except ActionRefused as refused:
        entry = record_audit(session, invoice_id=invoice.id, actor=actor.id, action=action, outcome="refused",
                             from_status=before, detail=str(refused))
        return ActionResult(invoice, before, before, entry.id, str(refused))
    _move(session, invoice, after)
    _record_side_effects(session, invoice, before, action, actor, reason)
    entry = record_audit(session, invoice_id=invoice.id, actor=actor.id, action=action, outcome="allowed",
                         from_status=before, to_status=after, detail=reason)
    return ActionResult(invoice, before, after, entry.id)


def _move(session: Session, invoice: Invoice, after: Status) -> None:
    # The version check makes the change conditional even where the row lock is a no-op (SQLite).
    moved = session.execute(
        update(Invoice).where(Invoice.id == invoice.id, Invoice.version == invoice.version)
        .values(status=after.value, version=invoice.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise ConcurrentChange(f"invoice {invoice.id} changed while this action was applied")
    session.refresh(invoice)


class ConcurrentChange(Exception):
    """The invoice changed under us; the caller's transaction must roll back and may retry."""


def _record_side_effects(session: Session, invoice: Invoice, before: Status, action: Action,
                         actor: Actor, reason: str | None) -> None:
    if action in _OUTCOME:
        department = "accounting" if action is Action.RETURN_TO_PROCUREMENT else _DEPARTMENT[before]
        session.add(Decision(invoice_id=invoice.id, revision=invoice.revision, department=department,
                             outcome=_OUTCOME[action], user_id=actor.id, reason=reason))
    if action in (Action.SEND, Action.RETRY):
        invoice.sent_at = utcnow()
        invoice.last_error = None
    if action is Action.SYNC_FAILED:
        invoice.last_error = reason
    if action is Action.BILL_DELETED:
        invoice.bill_id = None
        invoice.bill_confirmed_at = None
