"""The sync of one invoice in ES: exactly one Bill in QuickBooks, then S or F; transient errors propagate."""

from services.ports import QboPermanent
from services.runtime import Runtime
from services.sync.batch import queued_peers, sync_together
from services.sync.exactly_once import find_or_create, request_id
from services.sync.steps import LOCK_SECONDS, Confirmation, LeftSent, drafts_in_es, invoice_lock_name, record_outcome


def sync_invoice(runtime: Runtime, invoice_id: int) -> str:
    """Create (or adopt) the Bill of an invoice in ES and move it to S or F; answers the status or 'skipped'."""
    with runtime.locks.hold(
        invoice_lock_name(invoice_id),
        LOCK_SECONDS,
        busy=f"invoice {invoice_id} is being synchronized by another worker",
    ) as lock:
        ready = drafts_in_es(runtime, [invoice_id])
        if invoice_id not in ready:
            return "skipped"
        draft, version = ready[invoice_id]
        confirm = Confirmation([lock], runtime, {invoice_id: version})
        try:
            gateway = runtime.quickbooks()
            peers = queued_peers(runtime, invoice_id)
            together = sync_together(runtime, gateway, lock, invoice_id, peers) if peers else None
            if together is not None:
                return together
            rid, config = request_id(invoice_id, draft.revision, version), runtime.settings
            outcome = find_or_create(gateway, draft, rid, config.qbo_item_name, config.closed_books, confirm=confirm)
        except QboPermanent as error:
            outcome = error
        except LeftSent:
            return "skipped"
        recorded = record_outcome(runtime, invoice_id, outcome, confirm.creates)
    return recorded
