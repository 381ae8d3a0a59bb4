"""The steps both sync strategies share: the invoice lock, the drafts of invoices in ES, and recording outcomes."""

import logging

from sqlalchemy import select

from invoices.bill import BillDraft, draft_bill
from invoices.statuses import Status
from models import Invoice
from services.locks import Busy, Held
from services.ports import QboPermanent
from services.runtime import Runtime
from services.sync.outcome import complete, facts_of, fail

log = logging.getLogger(__name__)
# How long RQ lets a sync run.
SYNC_SECONDS = 300
# The invoice lock's expiry. Its holder renews it every third of that while it runs (however long), so a
# "started" job without its lock is dead, and a SIGKILLed job's invoice is free again within this.
LOCK_SECONDS = 30


def invoice_lock_name(invoice_id: int) -> str:
    """The lock that keeps two workers (or a sync and a reconcile) off the same invoice."""
    return f"qbo:sync:{invoice_id}"


def drafts_in_es(runtime: Runtime, ids: list[int]) -> dict[int, tuple[BillDraft, int]]:
    """The Bill draft and version of each of `ids` still in ES, read now (under its lock); none while QBO refuses us."""
    found = {}
    if runtime.health.broken():
        # Not the invoices' fault: they stay in ES untouched, and the sweep re-queues them once a probe gets through.
        log.info("invoices %s wait in ES: the QuickBooks connection is broken", ids)
        return found
    with runtime.sessions() as session:
        for invoice in session.scalars(select(Invoice).where(Invoice.id.in_(ids), Invoice.status == Status.SENT.value)):
            draft = draft_bill(facts_of(invoice), runtime.numbering, accounting=runtime.settings.accounting())
            found[invoice.id] = (draft, invoice.version)
    return found


def record_outcome(runtime: Runtime, invoice_id: int, outcome: dict | Exception, creates: set[int]) -> str | Exception:
    """Our Bill → S (adopted unless in `creates`) or F on a total mismatch; QboPermanent → F; transient: handed back."""
    if isinstance(outcome, QboPermanent):
        return fail(runtime, invoice_id, outcome)
    if isinstance(outcome, Exception):
        return outcome
    return complete(runtime, invoice_id, outcome, adopted=invoice_id not in creates)


class LeftSent(Busy):
    """An invoice left ES (Return to Approved) or was sent anew since its draft was read: nothing was created."""


def still_sent(runtime: Runtime, versions: dict[int, int]) -> set[int]:
    """Those of `versions` (invoice id → version read with its draft) still in ES at that same version."""
    with runtime.sessions() as session:
        rows = session.execute(
            select(Invoice.id, Invoice.version).where(Invoice.id.in_(versions), Invoice.status == Status.SENT.value)
        ).all()
    return {invoice_id for invoice_id, version in rows if versions[invoice_id] == version}


class Confirmation:
    """Called right before each create: confirms the invoice locks are still ours (exactly_once's `confirm`).

    A lost renewal cannot lead to a second Bill: confirm() renews with the token taken with the lock, which
    fails if the lock expired at any moment since, so a job whose lock another attempt may have taken
    creates nothing and raises Busy. A confirmed lock holds for another LOCK_SECONDS and goes on being renewed
    during the create; should Redis itself lose it mid-create (a flush), the next holder still looks the Bill
    up by DocNumber and creates under the same requestid, which QuickBooks answers with our Bill.

    Each create also re-reads the invoices' status right before it: Return to Approved takes no lock, so A/P
    may click it while this job looks Bills up; then nothing is created (LeftSent).
    """

    def __init__(self, locks: list[Held], runtime: Runtime, versions: dict[int, int]):
        self._locks, self._runtime, self._versions, self.creates = locks, runtime, versions, set()

    def __call__(self, invoice_ids: list[int]) -> None:
        """Raise Busy if a lock lapsed, LeftSent if an invoice left ES; else the create may go ahead."""
        for lock in self._locks:
            lock.confirm()
        checked = {i: self._versions[i] for i in invoice_ids if i in self._versions}
        if checked:
            gone = sorted(set(checked) - still_sent(self._runtime, checked))
            if gone:
                # A batch is not trimmed: its requestid names the whole set, so every invoice's job runs again.
                raise LeftSent(f"invoices {gone} left Sent to External System before their Bill was created")
        self.creates.update(invoice_ids)
