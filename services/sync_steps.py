"""The steps both sync strategies share: the invoice lock, the drafts of invoices in ES, and recording outcomes."""

from sqlalchemy import select

from invoices.bill import BillDraft, draft_bill
from invoices.statuses import Status
from models import Invoice
from services.bill_outcome import complete, facts_of, fail
from services.ports import QboPermanent
from services.runtime import Runtime

# How long RQ lets a sync run; the lock outlives it, so a "started" job without its lock is taken for dead.
SYNC_SECONDS = 300
LOCK_SECONDS = SYNC_SECONDS + 60


def invoice_lock_name(invoice_id: int) -> str:
    """The lock that keeps two workers (or a sync and a reconcile) off the same invoice."""
    return f"qbo:sync:{invoice_id}"


def drafts_in_es(runtime: Runtime, ids: list[int]) -> dict[int, tuple[BillDraft, int]]:
    """The Bill draft and version of each of `ids` still in ES, read now (under its lock)."""
    found = {}
    with runtime.sessions() as session:
        for invoice in session.scalars(select(Invoice).where(Invoice.id.in_(ids), Invoice.status == Status.SENT.value)):
            found[invoice.id] = (draft_bill(facts_of(invoice), runtime.numbering), invoice.version)
    return found


def record_outcome(runtime: Runtime, invoice_id: int, outcome: dict | Exception) -> str | Exception:
    """Our Bill → S (or F on a total mismatch); QboPermanent → F; a transient error is handed back, nothing changes."""
    if isinstance(outcome, QboPermanent):
        return fail(runtime, invoice_id, str(outcome))
    if isinstance(outcome, Exception):
        return outcome
    return complete(runtime, invoice_id, outcome)
