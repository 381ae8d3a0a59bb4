"""A person's action on an invoice from Slack: apply it once, or say why not."""

from invoices.rules import Actor
from invoices.statuses import Action, Status
from services.changes.actions import ActionResult, ConcurrentChange, apply_action
from services.changes.unit_of_work import UnitOfWork
from services.runtime import Runtime


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
                return apply_action(
                    uow,
                    invoice_id,
                    action,
                    actor,
                    reason=reason,
                    expected_status=expected_status,
                    expected_revision=expected_revision,
                )
        except ConcurrentChange:
            # The retry reads the new status, so expected_status refuses a click made on the old card.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
