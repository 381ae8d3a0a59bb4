"""Flagging a new invoice as a possible duplicate of the vendor's invoice with the same number retyped (§8)."""

from sqlalchemy import select, text, update

from invoices.audit import AuditKind
from invoices.duplicates import number_key
from invoices.events import InvoiceChanged
from invoices.rules import Role
from invoices.statuses import Status
from models import Invoice, InvoiceRevision
from services.changes.audit import record_audit
from services.changes.unit_of_work import UnitOfWork

ACTOR = Role.SYSTEM.value
# The first key of PostgreSQL's two-key advisory locks taken here, so they never meet another use of them.
_LOCK_SPACE = 11


def flag_possible_duplicate(uow: UnitOfWork, invoice_id: int, vendor_id: int, number: str) -> int | None:
    """Flag a just-created invoice as a possible duplicate of the vendor's first unflagged invoice whose number is
    `number` retyped (invoices.duplicates), audited and told in its thread; the earlier invoice's id, or None."""
    session = uow.session
    key = number_key(number)
    if session.get_bind().dialect.name == "postgresql":
        # Two uploads of one retyped number at once would each miss the other, still uncommitted: this lock, held
        # until commit, makes the later wait and then see the first. SQLite writes one transaction at a time.
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
            {"space": _LOCK_SPACE, "key": f"{vendor_id}:{key}"},
        )
    earlier = session.execute(
        select(Invoice.id, Invoice.number, Invoice.status, InvoiceRevision.total, InvoiceRevision.currency)
        .join(InvoiceRevision, InvoiceRevision.invoice_id == Invoice.id)
        .where(Invoice.vendor_id == vendor_id, Invoice.number_key == key, Invoice.id != invoice_id)
        .where(InvoiceRevision.number == Invoice.revision)
        # The original, not another upload flagged as its duplicate: the first committed of a race may not be the
        # lowest id.
        .order_by(Invoice.possible_duplicate_of.is_not(None), Invoice.id)
        .limit(1)
    ).first()
    if earlier is None:
        return None
    session.execute(update(Invoice).where(Invoice.id == invoice_id).values(possible_duplicate_of=earlier.id))
    entry = record_audit(
        session,
        invoice_id=invoice_id,
        actor=ACTOR,
        action=AuditKind.POSSIBLE_DUPLICATE,
        outcome="allowed",
        detail=f"invoice {earlier.number} ({Status(earlier.status).label}, total {earlier.total} {earlier.currency})",
    )
    uow.emit(InvoiceChanged(invoice_id, entry.id))
    return earlier.id
