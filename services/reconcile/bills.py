"""Applying what QuickBooks reports about our Bills (webhooks and CDC), always from the Bill's current state."""

import logging

from sqlalchemy import and_, func, select, update

from invoices.bill import traced, traced_invoice_id
from invoices.statuses import Action, Status
from models import Invoice, WebhookDelivery
from models.base import utcnow
from models.database import transaction
from services.ports import QboThrottled, QuickBooks
from services.reconcile.quickbooks_events import our_realms
from services.runtime import Runtime
from services.sync.outcome import bill_gone, complete, confirm, report_balance, report_drift
from services.sync.steps import LOCK_SECONDS, invoice_lock_name

log = logging.getLogger(__name__)


def reconcile_delivery(runtime: Runtime, delivery_id: int) -> str:
    """Apply a recorded event, e.g. {"realm": "934...", "entity": "Bill", "id": "145"}, and all others on its entity."""
    with runtime.sessions() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.processed_at is not None:
            return "already processed"
        event, same = dict(delivery.payload), _same_entity(delivery)
        # Any event recorded before the read below reports a change the read sees; later ones get their own job.
        last = session.scalar(select(func.max(WebhookDelivery.id)).where(same))
    outcome = "ignored"
    if event["realm"] not in our_realms(runtime):
        log.info("ignoring QuickBooks events of company %s: it is no longer connected", event["realm"])
    elif event["entity"] in ("Bill", "BillPayment"):
        try:
            outcome = reconcile_entity(runtime, runtime.quickbooks(event["realm"]), event["entity"], event["id"])
        except QboThrottled as error:
            # Reconcile's share of the company's requests is spent: the events wait, and the sweep publishes
            # them again at the pace the share allows, instead of RQ retrying (and logging) every one of them.
            log.info("QuickBooks event %s waits: %s", delivery_id, error)
            return "deferred"
    with transaction(runtime.sessions) as session:
        session.execute(update(WebhookDelivery).where(same, WebhookDelivery.id <= last).values(processed_at=utcnow()))
    return outcome


def _same_entity(delivery: WebhookDelivery):
    """The unprocessed events about the entity `delivery` is about (only itself when recorded without a subject)."""
    unprocessed = WebhookDelivery.processed_at.is_(None)
    if delivery.subject is None:
        return and_(WebhookDelivery.id == delivery.id, unprocessed)
    return and_(WebhookDelivery.source == delivery.source, WebhookDelivery.subject == delivery.subject, unprocessed)


def reconcile_entity(runtime: Runtime, gateway: QuickBooks, entity: str, entity_id: str) -> str:
    """Re-read a Bill (or the Bills a BillPayment pays) from QuickBooks and apply its state to the invoice."""
    if entity == "Bill":
        return reconcile_bill(runtime, gateway, entity_id, gateway.read("Bill", entity_id))
    return reconcile_payment(runtime, gateway, gateway.read("BillPayment", entity_id), entity_id)


def reconcile_payment(
    runtime: Runtime, gateway: QuickBooks, payment: dict | None, payment_id: str, seen: frozenset[str] = frozenset()
) -> str:
    """Re-read the Bills a BillPayment pays (except those in `seen`), e.g. {"PayType": "CreditCard", "Line":
    [{"Amount": 336.00, "LinkedTxn": [{"TxnId": "134", "TxnType": "Bill"}]}], ...}."""
    paid = {
        t["TxnId"]
        for line in (payment or {}).get("Line", [])
        for t in line.get("LinkedTxn", [])
        if t.get("TxnType") == "Bill"
    }
    if not paid:
        # Deleted (gone) or voided (QBO clears a voided payment's lines): it no longer names its Bills, whose own
        # Update (webhook or CDC: their Balance and LastUpdatedTime change with it) carries the change.
        log.info("BillPayment %s names no Bill (voided or deleted); its Bills' own changes are applied", payment_id)
        return "ignored"
    return (
        ",".join(reconcile_bill(runtime, gateway, b, gateway.read("Bill", b)) for b in sorted(paid - seen)) or "ignored"
    )


def reconcile_bill(runtime: Runtime, gateway: QuickBooks, bill_id: str, bill: dict | None) -> str:
    """Bill gone → S → A; paid → S → P; ours while the invoice is in ES → adopted; changed total → reported."""
    with runtime.sessions() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.bill_id == str(bill_id))).first()
        traced = traced_invoice_id((bill or {}).get("PrivateNote"))
        if invoice is None and traced is not None:
            candidate = session.get(Invoice, traced)
            invoice = candidate if candidate is not None and candidate.status == Status.SENT.value else None
        state = (
            (
                invoice.id,
                invoice.status,
                invoice.bill_number,
                invoice.revision,
                runtime.numbering.compose(
                    po_number=invoice.po_number, invoice_number=invoice.number, vendor_code=invoice.vendor.code
                ),
            )
            if invoice is not None
            else None
        )
    if state is None:
        log.info("ignoring QuickBooks Bill %s: no invoice of ours", bill_id)
        return "ignored"
    invoice_id, status, number, revision, current_number = state
    if bill is None:
        return bill_gone(
            runtime,
            invoice_id,
            Action.BILL_DELETED,
            f"Bill {number} (QuickBooks id {bill_id}) was deleted in QuickBooks; the invoice is "
            f"Approved again and may be sent again",
        )
    if status == Status.SENT.value:
        if bill.get("DocNumber") != current_number or not _traces_revision(bill, invoice_id, revision):
            # A Bill of an earlier send (returned to Approved, then revised) is not the one this send asks for.
            log.info("invoice %s: not adopting Bill %s numbered %r", invoice_id, bill_id, bill.get("DocNumber"))
            return status
        return _adopt(runtime, invoice_id, bill)
    if status == Status.PAID.value:
        report_balance(runtime, invoice_id, bill)
        return status
    if status != Status.SYNCHRONIZED.value:
        return status
    confirm(runtime, invoice_id)
    # Paid is read from the Balance, whatever links the payments: QBO lists each as LinkedTxn "BillPaymentCheck",
    # by check or by card (tests/sandbox/recorded/qbo/bill.source.md).
    if bill.get("Balance") is not None and bill["Balance"] == 0 and bill["TotalAmt"] > 0:
        return bill_gone(
            runtime,
            invoice_id,
            Action.BILL_PAID,
            f"Bill {bill.get('DocNumber')} (QuickBooks id {bill_id}) was paid in QuickBooks",
        )
    report_balance(runtime, invoice_id, bill)
    report_drift(runtime, invoice_id, bill)
    return status


def _traces_revision(bill: dict, invoice_id: int, revision: int) -> bool:
    found = traced(bill.get("PrivateNote"))
    return found is not None and found[0] == invoice_id and found[1] in (None, revision)


def _adopt(runtime: Runtime, invoice_id: int, bill: dict) -> str:
    with runtime.locks.hold(
        invoice_lock_name(invoice_id),
        LOCK_SECONDS,
        busy=f"invoice {invoice_id} is being synchronized; its Bill event is applied afterwards",
    ):
        return complete(runtime, invoice_id, bill, confirmed=True)
