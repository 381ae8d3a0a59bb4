"""A person's decision on an invoice from Slack: apply it once, then announce it or say why not."""

import threading
from contextlib import nullcontext

from invoices.rules import ActionRefused, Actor, decide, send_blockers
from invoices.statuses import Action, Status
from models import Invoice
from models.database import transaction
from services.actions import ActionResult, ConcurrentChange, InvoiceNotFound, apply_action, procurement_approver
from services.events import announce
from services.runtime import Runtime
from services.sending import request_sync

# SQLite's busy handler sleeps up to 100 ms between tries, so clicks queued on its write lock are
# served unfairly and the slowest wait seconds; queueing them on a process lock wakes each at once.
_SQLITE_WRITER = threading.Lock()


def _serialized(runtime: Runtime):
    return _SQLITE_WRITER if runtime.engine.dialect.name == "sqlite" else nullcontext()


def take_action(
    runtime: Runtime,
    invoice_id: int,
    action: Action,
    actor: Actor,
    *,
    reason: str | None = None,
    expected_status: Status | None = None,
) -> ActionResult:
    """Apply a card's action in its own transaction and announce a change; refusals are in the result."""
    if action in (Action.SEND, Action.RETRY):
        with _serialized(runtime):
            return request_sync(runtime, invoice_id, actor, action, expected_status=expected_status)
    for attempt in (1, 2):
        try:
            with _serialized(runtime), transaction(runtime.sessions) as session:
                result = apply_action(session, invoice_id, action, actor, reason=reason, expected_status=expected_status)
            break
        except ConcurrentChange:
            # The retry reads the new status, so expected_status refuses a click made on the old card.
            if attempt == 2:
                raise
    if result.changed:
        announce(runtime, invoice_id, result.audit_id)
    return result


def refusal_before_asking(
    runtime: Runtime, invoice_id: int, action: Action, actor: Actor, expected_status: Status | None
) -> str | None:
    """Why `actor` could not take `action` now, checked before asking them for a reason; None if they can."""
    with runtime.sessions() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            return str(InvoiceNotFound(f"There is no invoice with id {invoice_id}."))
        status = Status(invoice.status)
        if expected_status is not None and status is not expected_status:
            return f"This card was out of date: the invoice is now {status.label}, not {expected_status.label}."
        try:
            decide(status, action, actor, reason="(asked next)",
                   procurement_approver=procurement_approver(session, invoice),
                   send_blockers=send_blockers(invoice.vendor.qb_accounting_name))
        except ActionRefused as refused:
            return str(refused)
    return None
