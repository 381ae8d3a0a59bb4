"""The ERP events outbox: one row per status or balance change, written just before the change commits.

The unit of work notes each change as it happens and writes the rows last, from the invoice as the
transaction leaves it (a revision's new lines are in by then): no event for a change that rolled back,
none missing for one that committed. Nothing else writes events.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from invoices.erp import BALANCE_CHANGED, STAMP, STATUS_CHANGED, envelope, event_data
from invoices.statuses import Status
from models import ErpEvent, Invoice
from models.base import utcnow
from services.read.erp import held_state

_EVENTS = ErpEvent.__table__


@dataclass(frozen=True)
class Change:
    """A change the ERP must hear of: a status change (`previous` may be None for a new invoice) or a balance."""

    invoice_id: int
    previous: Status | None
    actor: str
    balance: Decimal | None = None
    kind: str = STATUS_CHANGED
    # Taken already where the change updated the invoice's row anyway (one statement fewer on a click).
    sequence: int | None = None

    @classmethod
    def of_balance(cls, invoice_id: int, status: Status, balance: Decimal, actor: str) -> "Change":
        """A synchronized Bill's balance changed without a status change."""
        return cls(invoice_id, status, actor, balance, BALANCE_CHANGED)


def write_events(session: Session, changes: list[Change], pushed: bool) -> list[int]:
    """Append one event per change in the caller's transaction; answers the invoices that got one."""
    now = utcnow().strftime(STAMP)
    written = []
    for change in changes:
        # The invoice row's counter numbers its events; the row stays locked until commit, so two
        # transactions never take the same number.
        sequence = (
            change.sequence
            or session.execute(
                update(Invoice)
                .where(Invoice.id == change.invoice_id)
                .values(event_sequence=Invoice.event_sequence + 1)
                .returning(Invoice.event_sequence)
                .execution_options(synchronize_session=False)
            ).scalar_one()
        )
        state = held_state(session, change.invoice_id)
        data = event_data(
            state, sequence=sequence, previous=change.previous, actor=change.actor, at=now, balance=change.balance
        )
        session.execute(
            insert(_EVENTS),
            {
                "invoice_id": change.invoice_id,
                "sequence": sequence,
                "type": change.kind,
                "body": envelope(change.kind, data, now),
                "created_at": utcnow(),
                "attempts": 0,
                "next_attempt_at": utcnow() if pushed else None,
            },
        )
        written.append(change.invoice_id)
    return written
