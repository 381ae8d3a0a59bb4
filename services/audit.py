"""Writing the audit log: one entry per action, allowed or refused."""

from sqlalchemy.orm import Session

from models import AuditEntry


def record_audit(
    session: Session,
    *,
    invoice_id: int | None,
    actor: str,
    action: str,
    outcome: str,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Append an entry to the audit log in the caller's transaction; its id is known on return."""
    entry = AuditEntry(
        invoice_id=invoice_id, actor=actor, action=action, outcome=outcome,
        from_status=from_status, to_status=to_status, detail=detail,
    )
    session.add(entry)
    session.flush()
    return entry
