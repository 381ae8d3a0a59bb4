"""The one path of every status change: decide in the domain, apply the table's fields once, audit, emit."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import inspect, update
from sqlalchemy.orm import Session

from invoices.delegation import APPROVER_ROLES, stand_in
from invoices.events import InvoiceChanged, KometMarkDue, SyncRequested
from invoices.numbering import BillNumbering
from invoices.rules import ActionRefused, Actor, accounting_approvals_needed, decide, decision_of, required_role
from invoices.statuses import EFFECTS, Action, Status, Value
from models import Decision, Invoice
from models.base import utcnow
from services.changes.audit import record_audit
from services.changes.delegations import active_for
from services.changes.outbox import Change
from services.changes.unit_of_work import UnitOfWork
from services.read.view import approvals_of, blockers_of

_COLUMNS = [attribute.key for attribute in inspect(Invoice).column_attrs]


class InvoiceNotFound(Exception):
    """No invoice has that id."""


class ConcurrentChange(Exception):
    """The invoice changed under us; the caller's transaction must roll back and may retry."""


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


def check_action(
    session: Session,
    invoice: Invoice,
    action: Action,
    actor: Actor,
    numbering: BillNumbering,
    *,
    reason: str | None = None,
    expected_status: Status | None = None,
    expected_revision: int | None = None,
    second_above: Decimal | None = None,
) -> Status:
    """The status `action` would lead to now, or ActionRefused; changes nothing."""
    status = Status(invoice.status)
    if expected_revision is not None and invoice.revision != expected_revision:
        raise ActionRefused(
            f"This card showed revision {expected_revision}, which revision {invoice.revision} replaced; "
            "act on the newer card."
        )
    if expected_status is not None and status is not expected_status:
        raise ActionRefused(
            f"This card was out of date: the invoice is now {status.label}, not {expected_status.label}."
        )
    return decide(
        status,
        action,
        actor,
        reason=reason,
        approvals=approvals_of(session, invoice),
        needed=accounting_approvals_needed(invoice.current.total, second_above),
        send_blockers=blockers_of(invoice, numbering),
    )


def apply_action(
    uow: UnitOfWork,
    invoice_id: int,
    action: Action,
    actor: Actor,
    *,
    reason: str | None = None,
    expected_status: Status | None = None,
    expected_revision: int | None = None,
    values: dict | None = None,
    balance: Decimal | None = None,
) -> ActionResult:
    """Apply `action` once under a row lock in the unit of work; refusals are audited too, changes announced.

    `balance` is what QuickBooks reports left to pay, for the ERP's event of a payment undone."""
    session = uow.session
    invoice = session.get(Invoice, invoice_id, with_for_update={"of": Invoice}, populate_existing=True)
    if invoice is None:
        raise InvoiceNotFound(f"There is no invoice with id {invoice_id}.")
    before = Status(invoice.status)
    role = required_role(before, action)
    if role not in actor.roles and role in APPROVER_ROLES:
        # Someone without the role may hold it for a person who delegated it to them: they act "X for Y".
        actor = stand_in(actor, role, active_for(session, actor.id))
    try:
        after = check_action(
            session,
            invoice,
            action,
            actor,
            uow.runtime.numbering,
            reason=reason,
            expected_status=expected_status,
            expected_revision=expected_revision,
            second_above=uow.runtime.settings.accounting_second_approval_above,
        )
    except ActionRefused as refused:
        entry = record_audit(
            session,
            invoice_id=invoice.id,
            actor=actor.shown,
            action=action,
            outcome="refused",
            from_status=before,
            detail=str(refused),
        )
        return ActionResult(invoice, before, before, entry.id, str(refused))
    komet = _komet_due(uow, invoice, before, after)
    _move(session, invoice, after, _effects(invoice, action, reason, values or {}) | komet)
    decision = decision_of(before, action)
    if decision is not None:
        session.add(
            Decision(
                invoice_id=invoice.id,
                revision=invoice.revision,
                department=decision[0],
                outcome=decision[1],
                user_id=actor.id,
                for_user_id=actor.for_id,
                reason=reason,
            )
        )
    entry = record_audit(
        session,
        invoice_id=invoice.id,
        actor=actor.shown,
        action=action,
        outcome="allowed",
        from_status=before,
        to_status=after,
        detail=reason,
    )
    if after is not before:
        # A first of two Accounting approvals moves nothing the ERP tracks: no event, no number taken.
        uow.note(Change(invoice.id, before, actor.shown, balance, sequence=invoice.event_sequence))
    if after is Status.SENT:
        uow.emit(SyncRequested(invoice.id))
    uow.emit(InvoiceChanged(invoice.id, entry.id))
    if komet:
        uow.emit(KometMarkDue(invoice.id))
    return ActionResult(invoice, before, after, entry.id)


def _komet_due(uow: UnitOfWork, invoice: Invoice, before: Status, after: Status) -> dict:
    """Komet's mark falls due when the sync makes the invoice Synchronized (§9), unless Komet was told already."""
    if before is not Status.SENT or after is not Status.SYNCHRONIZED or invoice.komet_marked_at is not None:
        return {}
    if uow.runtime.settings.komet_api_token is None:
        return {}
    return {"komet_next_attempt_at": utcnow(), "komet_attempts": 0}


def _effects(invoice: Invoice, action: Action, reason: str | None, values: dict) -> dict:
    resolved = {}
    for name, value in EFFECTS.get(action, {}).items():
        if value is Value.GIVEN:
            if name in values:
                resolved[name] = values[name]
        elif value is Value.NOW:
            resolved[name] = utcnow()
        elif value is Value.REASON:
            resolved[name] = reason
        elif value is Value.NEXT:
            resolved[name] = getattr(invoice, name) + 1
        else:
            resolved[name] = value
    return resolved


def _move(session: Session, invoice: Invoice, after: Status, fields: dict) -> None:
    if after.value != invoice.status or "revision" in fields:
        # A new status or revision starts the stage's wait and its reminders over (a first of two approvals does not).
        fields = {**fields, "stage_since": utcnow(), "reminders_sent": 0, "reminded_at": None}
    # The version check makes the change conditional even where the row lock is a no-op (SQLite).
    moved = session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.version == invoice.version)
        .values(
            status=after.value,
            version=invoice.version + 1,
            event_sequence=invoice.event_sequence + (0 if after.value == invoice.status else 1),
            updated_at=utcnow(),
            **fields,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise ConcurrentChange(f"invoice {invoice.id} changed while this action was applied")
    # Its columns only: the revisions the decision loaded stay, and the ERP's event is drawn from them (held_state).
    session.refresh(invoice, attribute_names=_COLUMNS)
