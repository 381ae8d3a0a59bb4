"""The sweep's side of the cards: recent changes no thread tells, and invoices with no card, announced again."""

from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import select, true

from invoices.events import InvoiceChanged
from models import AuditEntry, Invoice, SlackCard, SlackThreadPost
from models.base import utcnow
from services.read.cards import CardKind
from services.runtime import Runtime


def sweep_unannounced(
    runtime: Runtime,
    settle: timedelta = timedelta(minutes=2),
    horizon: timedelta = timedelta(days=1),
    waiting: Collection[int] = (),
) -> int:
    """Re-announce recent allowed changes with no thread line, and invoices with no card, except the invoices
    whose refresh is `waiting` its turn at Slack's pace."""
    now = utcnow()
    with runtime.sessions() as session:
        entries = session.execute(
            select(AuditEntry.id, AuditEntry.invoice_id)
            .where(
                AuditEntry.outcome == "allowed",
                AuditEntry.invoice_id.is_not(None),
                AuditEntry.at >= now - horizon,
                AuditEntry.at <= now - settle,
            )
            .order_by(AuditEntry.id)
        ).all()
        # A line claimed and never recorded as posted counts as untold once it settled: its refresh died or lost
        # Slack's answer, and the next refresh looks for it in the thread before telling it again.
        posted = set(
            session.scalars(
                select(SlackThreadPost.audit_id).where(
                    SlackThreadPost.posted_at >= now - horizon - settle,
                    SlackThreadPost.ts.is_not(None) | (SlackThreadPost.posted_at > now - settle),
                )
            )
        )
        carded = set(session.scalars(select(SlackCard.invoice_id).where(SlackCard.kind == CardKind.PROCUREMENT)))
        uncarded = session.scalars(select(Invoice.id).where(Invoice.id.not_in(carded) if carded else true())).all()
    missing = [
        InvoiceChanged(invoice_id, audit_id)
        for audit_id, invoice_id in entries
        if audit_id not in posted and invoice_id not in waiting
    ]
    covered = {event.invoice_id for event in missing}
    missing += [InvoiceChanged(invoice_id) for invoice_id in uncarded if invoice_id not in covered | set(waiting)]
    runtime.publisher.publish(missing)
    return len(missing)
