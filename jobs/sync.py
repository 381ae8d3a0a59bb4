"""The sync job: an invoice in ES becomes exactly one Bill in QuickBooks, whatever crashes or retries."""

import logging

from invoices.bill import BillDraft, draft_bill, preflight, traced, traced_invoice_id
from invoices.statuses import Status
from jobs.outcome import complete, facts_of, fail
from jobs.quickbooks import Gateway, QboPermanent, QboTransient, bill_body
from models import Invoice
from services import runtime as runtimes
from services.runtime import Runtime
from services.sending import SYNC_TIMEOUT

log = logging.getLogger(__name__)
# Longer than RQ lets the job run: a "started" job without its lock is taken for dead and enqueued again.
LOCK_SECONDS = SYNC_TIMEOUT + 60
DUPLICATE_CODES = {6140, 6210}


class SyncBusy(QboTransient):
    """Another worker is syncing this invoice right now; RQ retries later."""


def sync_invoice(invoice_id: int) -> str:
    """Create (or adopt) the Bill of an invoice in ES and move it to S or F; transient errors propagate."""
    runtime = runtimes.current()
    lock = invoice_lock(runtime, invoice_id)
    if not lock.acquire(blocking=False):
        raise SyncBusy(f"invoice {invoice_id} is being synchronized by another worker")
    try:
        return _sync(runtime, invoice_id)
    finally:
        release_quietly(lock)


def invoice_lock(runtime: Runtime, invoice_id: int):
    """The Redis lock that keeps two workers (or a sync and a reconcile) off the same invoice."""
    return runtime.redis.lock(f"qbo:sync:{invoice_id}", timeout=LOCK_SECONDS)


def release_quietly(lock) -> None:
    """Release a Redis lock that may have expired meanwhile (then it is already free)."""
    try:
        lock.release()
    except Exception:  # noqa: BLE001 - an expired or unreachable lock frees itself by its timeout
        pass


def request_id(invoice_id: int, revision: int, version: int) -> str:
    """QBO's requestid for this send of this revision: retries replay, a later Retry or resend does not."""
    return f"invoice-sync-{invoice_id}-r{revision}-v{version}"


def _sync(runtime: Runtime, invoice_id: int) -> str:
    with runtime.sessions() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None or invoice.status != Status.SENT.value:
            return "skipped"
        facts, version = facts_of(invoice), invoice.version
    draft = draft_bill(facts, runtime.settings.bill_number_format)
    # Imported here because jobs.batch_sync builds on this module's helpers.
    from jobs.batch_sync import queued_peers, sync_together

    try:
        gateway = Gateway(runtime)
        peers = queued_peers(runtime, invoice_id)
        if peers:
            together = sync_together(runtime, gateway, invoice_id, peers)
            if together is not None:
                return together
        bill = _find_or_create(runtime, gateway, draft, request_id(invoice_id, facts.revision, version))
    except QboPermanent as error:
        return fail(runtime, invoice_id, str(error))
    return complete(runtime, invoice_id, bill)


def _find_or_create(runtime: Runtime, gateway: Gateway, draft: BillDraft, rid: str) -> dict:
    vendor_id, body = prepared(runtime, gateway, draft)
    adopted = _ours(gateway, draft, vendor_id)
    if adopted is not None:
        log.info("invoice %s: adopting Bill %s found by DocNumber", draft.invoice_id, adopted["Id"])
        return adopted
    try:
        return gateway.create_bill(body, rid)
    except QboPermanent as error:
        return after_refusal(runtime, gateway, draft, vendor_id, error)


def prepared(runtime: Runtime, gateway: Gateway, draft: BillDraft) -> tuple[str, dict]:
    """Preflight a draft and resolve its references into (vendor id, Bill body); QboPermanent says what to fix."""
    enabled = gateway.classes_enabled() if draft.vendor_name else False
    classes = gateway.classes() if enabled else {}
    problems = preflight(draft, classes_enabled=enabled, known_classes=frozenset(classes) if enabled else None)
    if problems:
        raise QboPermanent("; ".join(problems) + ".")
    vendor_id = gateway.vendor_id(draft.vendor_name)
    item_id = gateway.item_id(runtime.settings.qbo_item_name)
    return vendor_id, bill_body(draft, vendor_id, item_id, classes.get(draft.class_name) if enabled else None)


def after_refusal(runtime: Runtime, gateway: Gateway, draft: BillDraft, vendor_id: str, error: QboPermanent) -> dict:
    """Our own Bill when QBO refused a create as a duplicate of it; otherwise QboPermanent in the invoice's terms."""
    if error.code in DUPLICATE_CODES:
        adopted = _ours(gateway, draft, vendor_id)
        if adopted is not None:
            return adopted
    if error.code == 2500:
        gateway.forget_references()
    raise QboPermanent(explain(error, draft, runtime.settings.qbo_item_name)) from None


def _ours(gateway: Gateway, draft: BillDraft, vendor_id: str) -> dict | None:
    return ours_among(draft, vendor_id, gateway.find_bills(draft.doc_number, vendor_id))


def ours_among(draft: BillDraft, vendor_id: str, bills: list[dict]) -> dict | None:
    """Among `bills`, the one of this number and vendor carrying our trace; refuses to create beside someone else's."""
    existing = [b for b in bills if b.get("DocNumber") == draft.doc_number
                and str((b.get("VendorRef") or {}).get("value")) == str(vendor_id)]
    ours = [b for b in existing if traced_invoice_id(b.get("PrivateNote")) == draft.invoice_id]
    if ours:
        revision = traced(ours[0].get("PrivateNote"))[1]
        if revision is not None and revision != draft.revision:
            raise QboPermanent(
                f"QuickBooks already has Bill {draft.doc_number} (QuickBooks id {ours[0]['Id']}), created by "
                f"invoice-sync for revision {revision} of this invoice; delete that Bill in QuickBooks so "
                f"revision {draft.revision} can be sent, then Retry")
        return ours[0]
    if existing:
        raise QboPermanent(
            f"Bill number {draft.doc_number} of vendor {draft.vendor_name!r} already exists in QuickBooks "
            f"(QuickBooks id {existing[0]['Id']}) and was not created by invoice-sync: delete or renumber that "
            f"Bill in QuickBooks if it is a mistake, then Retry")
    return None


def explain(error: QboPermanent, draft: BillDraft, item_name: str) -> str:
    """QuickBooks' refusal of a Bill create, told in terms of the invoice a person can fix."""
    bill = f"Bill {draft.doc_number} of vendor {draft.vendor_name!r}"
    if error.code == 2050:
        return (f"QuickBooks refused {bill}: the Bill number is {len(draft.doc_number)} characters, "
                f"over its limit of 21; change BILL_NUMBER_FORMAT or the invoice number, then Retry")
    if error.code in DUPLICATE_CODES:
        return (f"QuickBooks refused {bill}: that Bill number is already used by a Bill not created by "
                f"invoice-sync ({error.detail}); resolve it in QuickBooks, then Retry")
    if error.code == 2500:
        return (f"QuickBooks refused {bill}: a reference is invalid ({error.detail}); check that the vendor, "
                f"the item {item_name!r} and the class {draft.class_name!r} exist and are active, then Retry")
    return f"QuickBooks refused {bill} (code {error.code}): {error.detail or error}; correct it, then Retry"

