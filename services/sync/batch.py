"""Syncing queued invoices together: one lookup query and one batch create for up to 30 Bills (docs/benchmarks.md)."""

import logging

from sqlalchemy import select

from invoices.events import SyncRequested
from invoices.statuses import Status
from models import Invoice
from services.locks import Busy, Held
from services.ports import QuickBooks
from services.runtime import Runtime
from services.sync.exactly_once import create_together
from services.sync.steps import LOCK_SECONDS, Confirmation, drafts_in_es, invoice_lock_name, record_outcome

log = logging.getLogger(__name__)
MAX_ITEMS = 30
# Other workers hold some queued invoices' locks; looking a little further still fills a batch.
CANDIDATES = 3 * MAX_ITEMS


def queued_peers(runtime: Runtime, invoice_id: int) -> list[int]:
    """Other invoices in ES, oldest first (all sync to the one connected company, hence the same realm)."""
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Invoice.id)
                .where(Invoice.status == Status.SENT.value, Invoice.id != invoice_id)
                .order_by(Invoice.id)
                .limit(CANDIDATES)
            )
        )


def sync_together(
    runtime: Runtime, gateway: QuickBooks, leader_lock: Held, leader_id: int, peers: list[int]
) -> str | None:
    """Sync `leader_id` (locked by `leader_lock`) with the `peers` this worker can lock; None when it locks none."""
    if not gateway.batch_room():
        # The 40 batches/min are spent, the 500 requests/min maybe not: the plain path still makes progress.
        return None
    held = {}
    for peer in peers:
        if len(held) >= MAX_ITEMS - 1:
            break
        lock = runtime.locks.try_hold(invoice_lock_name(peer), LOCK_SECONDS)
        if lock is not None:
            held[peer] = lock
    if not held:
        return None
    try:
        # Checked again under the locks: another worker may have finished some since the peers were listed.
        ready = drafts_in_es(runtime, [leader_id, *held])
        versions = {i: v for i, (_, v) in ready.items()}
        confirm = Confirmation([leader_lock, *held.values()], runtime, versions)
        try:
            found = create_together(
                gateway,
                {i: d for i, (d, _) in ready.items()},
                versions,
                runtime.settings.qbo_item_name,
                runtime.settings.closed_books,
                confirm=confirm,
            )
        except Busy as lost:
            # One of the locks lapsed before the create: nothing was created, every invoice tries again.
            found = {invoice_id: lost for invoice_id in ready}
        outcomes = {i: record_outcome(runtime, i, outcome, confirm.creates) for i, outcome in found.items()}
    finally:
        for lock in held.values():
            lock.release()
    # The peer's own job may already have given up on the lock we held; make sure one runs again.
    runtime.publisher.publish(
        [SyncRequested(i) for i, outcome in outcomes.items() if isinstance(outcome, Exception) and i != leader_id]
    )
    outcome = outcomes.get(leader_id, "skipped")
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
