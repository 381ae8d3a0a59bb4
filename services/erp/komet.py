"""Telling Komet Sales an invoice is Synchronized (§9): one call that counts, retried like the ERP's events.

Komet counts calls (1,000 a paid user a day), so a mark is made only while one is due: it falls due when the sync
makes the invoice Synchronized (services/changes/actions.py), and each answer settles it under the invoice's
Komet lock before another call can be made. Marked: never called again. Refused (status 0): the thread says
Komet's message once and the invoice stays Synchronized. No usable answer: retried on the events' schedule.
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from invoices.audit import AuditKind
from invoices.events import InvoiceChanged
from invoices.komet import unmarkable
from invoices.rules import Role
from invoices.statuses import Status
from models import Invoice
from models.base import utcnow
from services.changes.audit import record_audit
from services.changes.unit_of_work import UnitOfWork
from services.erp import delivery
from services.ports import KometAnswer, KometOutcome
from services.runtime import Runtime

log = logging.getLogger(__name__)
LOCK_SECONDS = 60
ACTOR = Role.SYSTEM.value
# Komet hears only of an invoice whose Bill exists; one returned to Approved meanwhile waits for its next sync.
_BILLED = {Status.SYNCHRONIZED.value, Status.PAID.value}


@dataclass(frozen=True)
class _Due:
    """A mark that waits: the invoice's numbers, its status now, the calls made, and when the next is due."""

    status: str
    po_number: str
    invoice_number: str
    attempts: int
    at: datetime


_DUE = (Invoice.status, Invoice.po_number, Invoice.number, Invoice.komet_attempts, Invoice.komet_next_attempt_at)


def lock_name(invoice_id: int) -> str:
    """The lock under which one invoice's Komet mark is read, made and settled, whichever worker runs it."""
    return f"komet-mark:{invoice_id}"


def mark_in_komet(runtime: Runtime, invoice_id: int) -> datetime | None:
    """Tell Komet the invoice is Synchronized if that is due now; answers when the next try is due, if one waits."""
    if runtime.settings.komet_api_token is None:
        return None
    with runtime.locks.hold(lock_name(invoice_id), LOCK_SECONDS, busy=f"invoice {invoice_id}'s Komet mark is busy"):
        due = _due(runtime, invoice_id)
        if due is None:
            return None
        if due.at > utcnow():
            return due.at
        if due.status not in _BILLED:
            _settle(runtime, invoice_id, due)
            return None
        why = unmarkable(due.po_number, due.invoice_number)
        if why is not None:
            # No call: Komet would refuse (or cut, and so name another invoice); the thread says why, once.
            _settle(runtime, invoice_id, due, AuditKind.KOMET_NOT_MARKED, why)
            return None
        return _record(runtime, invoice_id, due, runtime.komet.mark_synchronized(due.po_number, due.invoice_number))


def _due(runtime: Runtime, invoice_id: int) -> _Due | None:
    # A mark already made is never due again, whatever a stale job or a re-publication says.
    with runtime.sessions() as session:
        row = session.execute(
            select(
                Invoice.status, Invoice.po_number, Invoice.number, Invoice.komet_attempts, Invoice.komet_next_attempt_at
            ).where(
                Invoice.id == invoice_id, Invoice.komet_marked_at.is_(None), Invoice.komet_next_attempt_at.is_not(None)
            )
        ).first()
    return _Due(*row) if row is not None else None


def _record(runtime: Runtime, invoice_id: int, due: _Due, answer: KometAnswer) -> datetime | None:
    """Settle one call's answer; answers when to try again (a transient answer within the schedule), else None."""
    attempts, schedule = due.attempts + 1, delivery.SCHEDULE
    seen = {"komet_attempts": attempts, "komet_answer": answer.text}
    if answer.outcome is KometOutcome.MARKED:
        _settle(runtime, invoice_id, due, AuditKind.KOMET_MARKED, answer.text, komet_marked_at=utcnow(), **seen)
        return None
    if answer.outcome is KometOutcome.REFUSED:
        _settle(runtime, invoice_id, due, AuditKind.KOMET_REFUSED, answer.text, **seen)
        return None
    if attempts <= len(schedule):
        wait = schedule[attempts - 1] * random.uniform(1 - delivery.JITTER, 1 + delivery.JITTER)
        at = utcnow() + timedelta(seconds=max(wait, answer.retry_after or 0))
        log.info("Komet mark of invoice %s: %s; trying again at %s", invoice_id, answer.text, at.isoformat())
        _settle(runtime, invoice_id, due, komet_next=at, **seen)
        return at
    why = f"Komet gave no usable answer in {attempts} tries over the retry schedule (the last: {answer.text})"
    _settle(runtime, invoice_id, due, AuditKind.KOMET_NOT_MARKED, why, **seen)
    return None


def _settle(
    runtime: Runtime,
    invoice_id: int,
    due: _Due,
    kind: AuditKind | None = None,
    detail: str | None = None,
    komet_next: datetime | None = None,
    **fields,
) -> None:
    """Store the mark's new state, and tell `kind` in the thread, only if the mark is still the one read (once)."""
    with UnitOfWork(runtime) as uow:
        settled = uow.session.execute(
            update(Invoice)
            .where(
                Invoice.id == invoice_id,
                Invoice.komet_marked_at.is_(None),
                Invoice.komet_next_attempt_at.is_not(None),
                Invoice.komet_attempts == due.attempts,
            )
            .values(komet_next_attempt_at=komet_next, **fields)
            .execution_options(synchronize_session=False)
        ).rowcount
        if settled != 1 or kind is None:
            return
        entry = record_audit(
            uow.session,
            invoice_id=invoice_id,
            actor=ACTOR,
            action=kind,
            outcome="allowed",
            from_status=due.status,
            to_status=due.status,
            detail=detail,
        )
        uow.emit(InvoiceChanged(invoice_id, entry.id))


def due_marks(runtime: Runtime, limit: int = 500) -> list[int]:
    """The invoices whose Komet mark is due now, oldest first; none without KOMET_API_TOKEN."""
    if runtime.settings.komet_api_token is None:
        return []
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Invoice.id)
                .where(Invoice.komet_next_attempt_at <= utcnow(), Invoice.komet_marked_at.is_(None))
                .order_by(Invoice.komet_next_attempt_at)
                .limit(limit)
            )
        )
