"""Approval reminders (docs/slack.md): an invoice waiting too long in AP or AA gets a line in its cards' threads.

The periodic sweep calls `remind_waiting`. Each reminder is claimed by a conditional UPDATE of the invoice's
row (the count it read, the status and version it read) in the same transaction as its audit entry, so two
sweeps at once, a restart or a Redis flush neither skip nor double one: the row, not Redis, says what was sent.
The line is the audit entry's, posted by the card refresh that `InvoiceChanged` runs after commit (and re-run
by the sweep's unannounced pass if that job is lost). A move to another status restarts the count
(services.changes.actions._move sets stage_since and clears it), so the old stage's reminders stop.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from invoices.audit import AuditKind
from invoices.events import InvoiceChanged
from invoices.reminders import MAX_REMINDERS, WAITING_ROLE, ReminderNote, reminder_due
from invoices.rules import Role
from invoices.statuses import Status
from models import DelegationGrant, Invoice
from models.base import utcnow
from services.changes.audit import record_audit
from services.changes.unit_of_work import UnitOfWork
from services.read.view import approvals_of
from services.runtime import Runtime
from settings import Settings

ACTOR = Role.SYSTEM.value
# One sweep posts at most this many; the rest are due on the next sweeps, a minute apart.
PER_SWEEP = 100


def remind_waiting(runtime: Runtime, now: datetime | None = None) -> int:
    """Post each reminder due now (APPROVAL_REMINDER_AFTER; 0 turns them off); answers how many were posted."""
    every = runtime.settings.approval_reminder_after
    if every <= 0:
        return 0
    now = now or utcnow()
    with runtime.sessions() as session:
        rows = session.execute(
            select(Invoice.id, Invoice.status, Invoice.version)
            .add_columns(Invoice.stage_since, Invoice.reminders_sent, Invoice.reminded_at)
            .where(
                Invoice.status.in_([status.value for status in WAITING_ROLE]),
                Invoice.reminders_sent < MAX_REMINDERS,
                Invoice.stage_since <= now - timedelta(seconds=every),
            )
            .order_by(Invoice.stage_since, Invoice.id)
            .limit(PER_SWEEP)
        ).all()
    posted = 0
    for invoice_id, status, version, since, sent, last in rows:
        waited = (now - since).total_seconds()
        since_last = (now - last).total_seconds() if last is not None else None
        if reminder_due(waited, since_last, sent, every):
            posted += _remind(runtime, invoice_id, Status(status), version, sent, int(waited), now)
    return posted


def _remind(runtime: Runtime, invoice_id: int, status: Status, version: int, sent: int, waited: int, now) -> bool:
    with UnitOfWork(runtime) as uow:
        session = uow.session
        # The claim: only the one transaction that still sees the count, status and version it read takes it; a
        # concurrent sweep waits for the row, then matches nothing, and an action that moved the invoice wins.
        claimed = session.execute(
            update(Invoice)
            .where(
                Invoice.id == invoice_id,
                Invoice.status == status.value,
                Invoice.version == version,
                Invoice.reminders_sent == sent,
            )
            .values(reminders_sent=sent + 1, reminded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            return False
        invoice = session.get(Invoice, invoice_id, populate_existing=True)
        note = ReminderNote(sent + 1, waited, who_may_act(session, runtime.settings, invoice, now.date()))
        entry = record_audit(
            session,
            invoice_id=invoice_id,
            actor=ACTOR,
            action=AuditKind.APPROVAL_REMINDER,
            outcome="allowed",
            from_status=status.value,
            detail=note.detail(),
        )
        uow.emit(InvoiceChanged(invoice_id, entry.id))
    return True


def who_may_act(session: Session, settings: Settings, invoice: Invoice, today: date) -> tuple[str, ...]:
    """The Slack users and user groups who may act on the waiting invoice now, its stage's list then delegates.

    Segregation of duties: a person this round's approvals count for (and their delegates) is left out."""
    role = WAITING_ROLE[Status(invoice.status)]
    listed = {
        Role.PROCUREMENT_APPROVER: settings.slack_procurement_approvers,
        Role.ACCOUNTING_APPROVER: settings.slack_accounting_approvers,
    }[role]
    approvals = approvals_of(session, invoice)
    approved = approvals.procurement.union(*approvals.accounting) if role is Role.ACCOUNTING_APPROVER else frozenset()
    who = [principal for principal in listed if principal not in approved]
    who += [d for d, delegator in delegates_of(session, role, today) if not {d, delegator} & approved]
    return tuple(dict.fromkeys(who))


def delegates_of(session: Session, role: Role, today: date) -> list[tuple[str, str]]:
    """(delegate, delegator) of every delegation of `role` that holds today (through its last day, UTC)."""
    grants = session.execute(
        select(DelegationGrant.delegate, DelegationGrant.delegator, DelegationGrant.roles)
        .where(DelegationGrant.ended_at.is_(None), DelegationGrant.until >= today)
        .order_by(DelegationGrant.id)
    ).all()
    return [(delegate, delegator) for delegate, delegator, roles in grants if role.value in roles.split(",")]
