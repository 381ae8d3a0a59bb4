"""The invoice's file on its Bill (docs/quickbooks.md): fetched from an allowed URL and uploaded once, as an Attachable.

It falls due when an invoice with an attachment URL becomes Synchronized (services/sync/outcome.py emits
AttachmentDue), and stays due, for the sweep to publish again, until this Bill has its file or the reason it has
none: a Redis flush loses none. Exactly once: under the invoice's attachment lock, QuickBooks is asked first for
a file already linked to the Bill (a worker killed after its upload and before storing it left one: it is
taken, not uploaded again), and the upload is made only after the lock is confirmed still ours. A refused file
(not allowed, a private address, over 25 MiB, a type QuickBooks does not take, or QuickBooks' own refusal) is
told once in the thread and the invoice stays Synchronized. A passing failure (a timeout, a refused connection,
a 5xx) raises so RQ tries again; after MAX_TRIES of them it is told as the reason.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update

from invoices.audit import AuditKind
from invoices.events import InvoiceChanged
from invoices.rules import Role
from invoices.statuses import Status
from models import Invoice, InvoiceRevision
from services.changes.audit import record_audit
from services.changes.unit_of_work import UnitOfWork
from services.ports import FileRefused, FileUnavailable, QboPermanent
from services.runtime import Runtime

log = logging.getLogger(__name__)
LOCK_SECONDS = 60
# Passing failures of one Bill's fetch before it is told as refused (RQ's retries and the sweeps count alike).
MAX_TRIES = 5
ACTOR = Role.SYSTEM.value
# A Bill exists for these; one returned to Approved meanwhile gets its file with its next Bill.
_BILLED = (Status.SYNCHRONIZED.value, Status.PAID.value)
# Not settled for the invoice's current Bill: never tried, tried for another Bill, or tried without an outcome.
_OPEN = or_(
    Invoice.attachment_bill_id.is_(None),
    Invoice.attachment_bill_id != Invoice.bill_id,
    and_(Invoice.attachable_id.is_(None), Invoice.attachment_note.is_(None)),
)
_DUE = and_(
    Invoice.status.in_(_BILLED), Invoice.bill_id.is_not(None), InvoiceRevision.attachment_url.is_not(None), _OPEN
)


@dataclass(frozen=True)
class _Due:
    """An attachment to make: the Bill, the file's URL, the invoice's status and the passing failures so far."""

    bill_id: str
    url: str
    status: str
    tries: int


def lock_name(invoice_id: int) -> str:
    """The lock under which one invoice's file is looked for, fetched, uploaded and stored, by one worker."""
    return f"qbo:attachment:{invoice_id}"


def attach_file(runtime: Runtime, invoice_id: int) -> str:
    """Put the invoice's file on its Bill if still due; answers "attached", "found", "refused" or "skipped"."""
    busy = f"invoice {invoice_id}'s file is being attached by another worker"
    with runtime.locks.hold(lock_name(invoice_id), LOCK_SECONDS, busy=busy) as lock:
        due = _due(runtime, invoice_id)
        if due is None:
            return "skipped"
        gateway = runtime.quickbooks()
        linked = gateway.attachables(due.bill_id)
        if linked:
            # Ours from a worker killed between its upload and storing it (or one a person added): the Bill has it.
            found = linked[0]
            log.info("invoice %s: Bill %s already has file %s", invoice_id, due.bill_id, found.get("FileName"))
            _settle(runtime, invoice_id, due, AuditKind.ATTACHMENT_ADDED, found.get("FileName"), attachable=found)
            return "found"
        try:
            fetched = runtime.files.fetch(due.url)
        except FileRefused as refused:
            return _refuse(runtime, invoice_id, due, str(refused))
        except FileUnavailable as unavailable:
            if due.tries + 1 >= MAX_TRIES:
                return _refuse(runtime, invoice_id, due, f"{unavailable} (tried {MAX_TRIES} times)")
            _settle(runtime, invoice_id, due, tries=due.tries + 1)
            raise
        # A holder whose lock lapsed (another worker may have taken it) uploads nothing.
        lock.confirm()
        try:
            attachable = gateway.attach(due.bill_id, fetched)
        except QboPermanent as error:
            return _refuse(runtime, invoice_id, due, str(error))
        _settle(runtime, invoice_id, due, AuditKind.ATTACHMENT_ADDED, fetched.name, attachable=attachable)
        return "attached"


def _due(runtime: Runtime, invoice_id: int) -> _Due | None:
    with runtime.sessions() as session:
        row = session.execute(
            select(
                Invoice.bill_id,
                InvoiceRevision.attachment_url,
                Invoice.status,
                Invoice.attachment_bill_id,
                Invoice.attachment_tries,
            )
            .join(InvoiceRevision, _current_revision())
            .where(Invoice.id == invoice_id, _DUE)
        ).first()
    if row is None:
        return None
    bill_id, url, status, about, tries = row
    return _Due(bill_id, url, status, tries if about == bill_id else 0)


def _current_revision():
    return and_(InvoiceRevision.invoice_id == Invoice.id, InvoiceRevision.number == Invoice.revision)


def _refuse(runtime: Runtime, invoice_id: int, due: _Due, reason: str) -> str:
    log.info("invoice %s: attachment not added to Bill %s: %s", invoice_id, due.bill_id, reason)
    _settle(runtime, invoice_id, due, AuditKind.ATTACHMENT_NOT_ADDED, reason, note=reason)
    return "refused"


def _settle(
    runtime: Runtime,
    invoice_id: int,
    due: _Due,
    kind: AuditKind | None = None,
    detail: str | None = None,
    attachable: dict | None = None,
    note: str | None = None,
    tries: int | None = None,
) -> None:
    """Store the attachment's state for this Bill, and tell `kind` in the thread, only if still open (so once)."""
    values = {
        "attachment_bill_id": due.bill_id,
        "attachable_id": str(attachable["Id"]) if attachable else None,
        "attachment_note": note,
        "attachment_tries": due.tries if tries is None else tries,
    }
    with UnitOfWork(runtime) as uow:
        settled = uow.session.execute(
            update(Invoice)
            .where(Invoice.id == invoice_id, Invoice.bill_id == due.bill_id, Invoice.status.in_(_BILLED), _OPEN)
            .values(**values)
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


def due_attachments(runtime: Runtime, limit: int = 100) -> list[int]:
    """The invoices whose file is still to go on their Bill, oldest first (the sweep publishes them again)."""
    query = select(Invoice.id).join(InvoiceRevision, _current_revision()).where(_DUE)
    with runtime.sessions() as session:
        return list(session.scalars(query.order_by(Invoice.id).limit(limit)))
