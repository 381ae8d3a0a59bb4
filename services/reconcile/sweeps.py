"""What the periodic sweep finds in the database, the source of truth, whatever Redis lost or webhooks missed."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select

from invoices.statuses import Status
from models import Invoice, QboConnection, WebhookDelivery
from models.base import utcnow
from models.database import transaction
from services.ports import QuickBooks
from services.reconcile.bills import reconcile_bill, reconcile_payment
from services.runtime import Runtime

log = logging.getLogger(__name__)

EVENT_GRACE = timedelta(seconds=30)
CDC_OVERLAP = timedelta(minutes=1)
CDC_HORIZON = timedelta(days=29)
# Intuit's CDC page: "Server responses can handle a maximum of 1,000 objects" (an answer this full may be cut).
CDC_MAX_OBJECTS = 1000


def invoices_in_es(runtime: Runtime) -> list[int]:
    """Every invoice in ES: each must have a live sync job."""
    with runtime.sessions() as session:
        return list(session.scalars(select(Invoice.id).where(Invoice.status == Status.SENT.value)))


def waiting_events(runtime: Runtime) -> list[int]:
    """The first QuickBooks event still unprocessed after a grace period of each entity: its reconcile applies all."""
    waiting = (
        WebhookDelivery.source == "quickbooks",
        WebhookDelivery.processed_at.is_(None),
        WebhookDelivery.received_at < utcnow() - EVENT_GRACE,
    )
    with runtime.sessions() as session:
        first = session.scalars(
            select(func.min(WebhookDelivery.id))
            .where(*waiting, WebhookDelivery.subject.is_not(None))
            .group_by(WebhookDelivery.subject)
        ).all()
        alone = session.scalars(select(WebhookDelivery.id).where(*waiting, WebhookDelivery.subject.is_(None))).all()
    return sorted({*first, *alone})


def capture_changes(runtime: Runtime) -> int:
    """Feed every Bill and BillPayment changed since the last pass (QBO's /cdc) to the reconcile logic.

    A CDC answer holds at most 1,000 objects and does not say it was cut, so a full one is paged: each entity
    is asked again from the latest LastUpdatedTime it showed (inclusive, so changes sharing that second are read
    again rather than skipped). The checkpoint moves after every page, only as far as every entity was read.
    """
    with runtime.sessions() as session:
        connection = session.scalars(select(QboConnection).order_by(QboConnection.connected_at.desc())).first()
        if connection is None:
            return 0
        realm_id, checked = connection.realm_id, connection.cdc_checked_at
    started = utcnow()
    since = max(checked - CDC_OVERLAP if checked else started - timedelta(days=1), started - CDC_HORIZON)
    gateway = runtime.quickbooks(realm_id)
    found = gateway.changes(since)
    if sum(map(len, found.values())) < CDC_MAX_OBJECTS:
        read = _apply(runtime, gateway, found)
        _checkpoint(runtime, realm_id, started)
        return read
    # Cut: page each entity on its own, so one entity's cut never hides behind the other's later changes.
    cursors, read, seen = {name: since for name in found}, 0, set()
    while cursors:
        for name in list(cursors):
            page = gateway.changes(cursors[name], (name,))
            read += _apply(runtime, gateway, page, seen)
            latest = _latest(page[name])
            if len(page[name]) < CDC_MAX_OBJECTS:
                del cursors[name]
            elif latest is None or latest <= cursors[name]:
                log.error(
                    "QuickBooks reports %d or more %s changes in the second from %s: CDC cannot page further, "
                    "so the checkpoint stays there and the next sweep asks again",
                    CDC_MAX_OBJECTS,
                    name,
                    cursors[name].isoformat(),
                )
                _checkpoint(runtime, realm_id, min(cursors.values()))
                return read
            else:
                cursors[name] = latest
        _checkpoint(runtime, realm_id, min(cursors.values(), default=started))
    return read


def _apply(runtime: Runtime, gateway: QuickBooks, found: dict[str, list[dict]], seen: set | None = None) -> int:
    """Reconcile each changed Bill from the CDC payload, then the Bills of each payment not already applied."""
    seen = set() if seen is None else seen
    for bill in found.get("Bill", []):
        reconcile_bill(runtime, gateway, str(bill["Id"]), None if bill.get("status") == "Deleted" else bill)
        seen.add(str(bill["Id"]))
    for payment in found.get("BillPayment", []):
        if payment.get("status") != "Deleted":
            reconcile_payment(runtime, gateway, payment, str(payment["Id"]), frozenset(seen))
    return sum(map(len, found.values()))


def _latest(rows: list[dict]) -> datetime | None:
    """The latest MetaData.LastUpdatedTime among CDC rows, to the second, e.g. 2026-11-20T10:11:12-08:00."""
    stamps = [
        datetime.fromisoformat(row["MetaData"]["LastUpdatedTime"])
        for row in rows
        if (row.get("MetaData") or {}).get("LastUpdatedTime")
    ]
    return max(stamps).replace(microsecond=0) if stamps else None


def _checkpoint(runtime: Runtime, realm_id: str, through: datetime) -> None:
    with transaction(runtime.sessions) as session:
        session.scalars(select(QboConnection).where(QboConnection.realm_id == realm_id)).one().cdc_checked_at = through
