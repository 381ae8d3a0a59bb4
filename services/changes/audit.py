"""Writing the audit log: one entry per action, allowed or refused."""

from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from invoices.audit import Audited
from models import AuditEntry

# Entries are written once and never changed (models.audit refuses it), so they go in as plain inserts: no unit of
# work to track them, which every upload and click would otherwise pay for in its flush.
_AUDIT = AuditEntry.__table__


@dataclass(frozen=True)
class RecordedEntry:
    """An audit entry just appended: its id, e.g. for the event that announces it."""

    id: int


def record_audit(
    session: Session,
    *,
    invoice_id: int | None,
    actor: str,
    action: Audited,
    outcome: str,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: str | None = None,
) -> RecordedEntry:
    """Append an entry to the audit log in the caller's transaction; its id is known on return."""
    entry_id = session.execute(
        insert(_AUDIT).returning(_AUDIT.c.id),
        {
            "invoice_id": invoice_id,
            "actor": actor,
            "action": action,
            "outcome": outcome,
            "from_status": from_status,
            "to_status": to_status,
            "detail": detail,
        },
    ).scalar_one()
    return RecordedEntry(entry_id)
