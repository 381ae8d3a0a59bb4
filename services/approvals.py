"""A person's action on an invoice from Slack: apply it once, or say why not."""

from invoices.rules import ActionRefused, Actor
from invoices.statuses import Action, Status
from models import Invoice
from services.actions import ActionResult, ConcurrentChange, InvoiceNotFound, apply_action, check_action
from services.runtime import Runtime
from services.unit_of_work import UnitOfWork


def take_action(
    runtime: Runtime,
    invoice_id: int,
    action: Action,
    actor: Actor,
    *,
    reason: str | None = None,
    expected_status: Status | None = None,
    expected_revision: int | None = None,
) -> ActionResult:
    """Apply a card's action in its own unit of work; refusals are in the result, changes are announced."""
    for attempt in (1, 2):
        try:
            with UnitOfWork(runtime) as uow:
                return apply_action(uow, invoice_id, action, actor, reason=reason, expected_status=expected_status,
                                    expected_revision=expected_revision)
        except ConcurrentChange:
            # The retry reads the new status, so expected_status refuses a click made on the old card.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def refusal_before_asking(
    runtime: Runtime, invoice_id: int, action: Action, actor: Actor, expected_status: Status | None
) -> str | None:
    """Why `actor` could not take `action` now, checked before asking them for a reason; None if they can."""
    with runtime.sessions() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            return str(InvoiceNotFound(f"There is no invoice with id {invoice_id}."))
        try:
            check_action(session, invoice, action, actor, runtime.numbering, reason="(asked next)",
                         expected_status=expected_status)
        except ActionRefused as refused:
            return str(refused)
    return None
