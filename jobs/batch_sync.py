"""Syncing queued invoices together: one lookup query and one batch create for up to 30 Bills (DESIGN §7)."""

import hashlib
import logging

from sqlalchemy import select

from invoices.bill import BillDraft, draft_bill
from invoices.statuses import Status
from jobs.outcome import complete, facts_of, fail
from jobs.quickbooks import Gateway, QboPermanent, QboTransient
from jobs.quickbooks.batch import MAX_ITEMS
from jobs.sync import after_refusal, invoice_lock, ours_among, prepared, release_quietly, request_id
from models import Invoice
from services.runtime import Runtime
from services.sending import enqueue_sync

log = logging.getLogger(__name__)
# Other workers hold some queued invoices' locks; looking a little further still fills a batch.
CANDIDATES = 3 * MAX_ITEMS


def queued_peers(runtime: Runtime, invoice_id: int) -> list[int]:
    """Other invoices in ES, oldest first (all sync to the one connected company, hence the same realm)."""
    with runtime.sessions() as session:
        return list(session.scalars(select(Invoice.id).where(Invoice.status == Status.SENT.value,
                                                             Invoice.id != invoice_id)
                                    .order_by(Invoice.id).limit(CANDIDATES)))


def batch_request_id(sends: list[tuple[int, int, int]]) -> str:
    """QBO's requestid of one batch: the same (invoice id, revision, version) set replays, any other set does not."""
    digest = hashlib.sha256(repr(sorted(sends)).encode()).hexdigest()
    return f"invoice-sync-batch-{digest[:31]}"


def sync_together(runtime: Runtime, gateway: Gateway, leader_id: int, peers: list[int]) -> str | None:
    """Sync the locked `leader_id` with the `peers` this worker can lock; None when it locks none of them."""
    if not gateway.limiter.batch_room(gateway.realm_id):
        # The 40 batches/min are spent, the 500 requests/min maybe not: the plain path still makes progress.
        return None
    locks = {}
    for peer in peers:
        if len(locks) >= MAX_ITEMS - 1:
            break
        lock = invoice_lock(runtime, peer)
        if lock.acquire(blocking=False):
            locks[peer] = lock
    if not locks:
        return None
    try:
        outcomes = _sync_locked(runtime, gateway, [leader_id, *locks])
    finally:
        for lock in locks.values():
            release_quietly(lock)
    for invoice_id, outcome in outcomes.items():
        if isinstance(outcome, Exception) and invoice_id != leader_id:
            # The peer's own job may already have given up on the lock we held; make sure one runs again.
            enqueue_sync(runtime, invoice_id)
    outcome = outcomes.get(leader_id, "skipped")
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _sync_locked(runtime: Runtime, gateway: Gateway, ids: list[int]) -> dict[int, str | Exception]:
    drafts, sends = {}, {}
    with runtime.sessions() as session:
        for invoice in session.scalars(select(Invoice).where(Invoice.id.in_(ids))):
            # Checked again under the lock: another worker may have finished it since the peers were listed.
            if invoice.status == Status.SENT.value:
                facts = facts_of(invoice)
                drafts[invoice.id] = draft_bill(facts, runtime.settings.bill_number_format)
                sends[invoice.id] = (invoice.id, facts.revision, invoice.version)
    outcomes: dict[int, str | Exception] = {}
    ready: dict[int, tuple[str, dict]] = {}
    for invoice_id, draft in drafts.items():
        try:
            ready[invoice_id] = prepared(runtime, gateway, draft)
        except QboPermanent as error:
            outcomes[invoice_id] = fail(runtime, invoice_id, str(error))
    if not ready:
        return outcomes
    found = gateway.find_bills_numbered(drafts[i].doc_number for i in ready)
    bodies = {}
    for invoice_id, (vendor_id, body) in ready.items():
        try:
            adopted = ours_among(drafts[invoice_id], vendor_id, found)
        except QboPermanent as error:
            outcomes[invoice_id] = fail(runtime, invoice_id, str(error))
            continue
        if adopted is not None:
            log.info("invoice %s: adopting Bill %s found by DocNumber", invoice_id, adopted["Id"])
            outcomes[invoice_id] = complete(runtime, invoice_id, adopted)
        else:
            bodies[invoice_id] = body
    created = _create(gateway, bodies, sends)
    for invoice_id, result in created.items():
        outcomes[invoice_id] = _settle(runtime, gateway, drafts[invoice_id], ready[invoice_id][0], result)
    return outcomes


def _create(gateway: Gateway, bodies: dict[int, dict], sends: dict) -> dict[int, dict | Exception]:
    if len(bodies) == 1:
        # One Bill left after adoptions: a plain create spends no batch request of the 40/min.
        [(invoice_id, body)] = bodies.items()
        try:
            return {invoice_id: gateway.create_bill(body, request_id(*sends[invoice_id]))}
        except QboPermanent as error:
            return {invoice_id: error}
    if not bodies:
        return {}
    rid = batch_request_id([sends[i] for i in bodies])
    try:
        answered = gateway.create_bills({str(i): body for i, body in bodies.items()}, rid)
    except QboPermanent as error:
        return {invoice_id: error for invoice_id in bodies}
    return {invoice_id: answered[str(invoice_id)] for invoice_id in bodies}


def _settle(runtime: Runtime, gateway: Gateway, draft: BillDraft, vendor_id: str,
            result: dict | Exception) -> str | Exception:
    invoice_id = draft.invoice_id
    if isinstance(result, QboPermanent):
        try:
            result = after_refusal(runtime, gateway, draft, vendor_id, result)
        except QboPermanent as error:
            return fail(runtime, invoice_id, str(error))
        except QboTransient as error:
            result = error
    if isinstance(result, Exception):
        log.info("invoice %s stays in ES after a transient batch item failure: %s", invoice_id, result)
        return result
    return complete(runtime, invoice_id, result)
