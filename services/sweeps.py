"""What the periodic sweep finds in the database, the source of truth, whatever Redis lost or webhooks missed."""

from datetime import timedelta

from sqlalchemy import func, select

from invoices.statuses import Status
from models import Invoice, QboConnection, WebhookDelivery
from models.base import utcnow
from models.database import transaction
from services.reconcile import reconcile_bill, reconcile_entity
from services.runtime import Runtime

EVENT_GRACE = timedelta(seconds=30)
CDC_OVERLAP = timedelta(minutes=1)
CDC_HORIZON = timedelta(days=29)


def invoices_in_es(runtime: Runtime) -> list[int]:
    """Every invoice in ES: each must have a live sync job."""
    with runtime.sessions() as session:
        return list(session.scalars(select(Invoice.id).where(Invoice.status == Status.SENT.value)))


def waiting_events(runtime: Runtime) -> list[int]:
    """The first QuickBooks event still unprocessed after a grace period of each entity: its reconcile applies all."""
    waiting = (WebhookDelivery.source == "quickbooks", WebhookDelivery.processed_at.is_(None),
               WebhookDelivery.received_at < utcnow() - EVENT_GRACE)
    with runtime.sessions() as session:
        first = session.scalars(select(func.min(WebhookDelivery.id)).where(
            *waiting, WebhookDelivery.subject.is_not(None)).group_by(WebhookDelivery.subject)).all()
        alone = session.scalars(select(WebhookDelivery.id).where(*waiting, WebhookDelivery.subject.is_(None))).all()
    return sorted({*first, *alone})


def capture_changes(runtime: Runtime) -> int:
    """Feed every Bill and BillPayment changed since the last pass (QBO's /cdc) to the reconcile logic."""
    with runtime.sessions() as session:
        connection = session.scalars(select(QboConnection).order_by(QboConnection.connected_at.desc())).first()
        if connection is None:
            return 0
        realm_id, checked = connection.realm_id, connection.cdc_checked_at
    started = utcnow()
    since = max(checked - CDC_OVERLAP if checked else started - timedelta(days=1), started - CDC_HORIZON)
    gateway = runtime.quickbooks(realm_id)
    found = gateway.changes(since)
    for bill in found["Bill"]:
        reconcile_bill(runtime, gateway, str(bill["Id"]), None if bill.get("status") == "Deleted" else bill)
    for payment in found["BillPayment"]:
        if payment.get("status") != "Deleted":
            reconcile_entity(runtime, gateway, "BillPayment", str(payment["Id"]))
    with transaction(runtime.sessions) as session:
        session.scalars(select(QboConnection).where(QboConnection.realm_id == realm_id)).one().cdc_checked_at = started
    return len(found["Bill"]) + len(found["BillPayment"])
