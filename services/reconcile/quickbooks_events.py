"""Recording QuickBooks webhook events of our companies once each, and one reconcile per entity they are about."""

import hashlib
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from invoices.events import QuickBooksEventRecorded
from models import QboConnection, WebhookDelivery
from services.changes.unit_of_work import UnitOfWork
from services.runtime import Runtime

SOURCE = "quickbooks"
CHUNK = 500
log = logging.getLogger(__name__)


def digest(text: str) -> str:
    """SHA-256 (hex) of `text`: a fixed-length key however long the sender's id, so no two ids collide by a cut."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def subject_of(event: dict) -> str:
    """The key of the entity an event is about, e.g. digest("9341:Bill:145"): its events share one reconcile."""
    return digest(f"{event['realm']}:{event['entity']}:{event['id']}")


def our_realms(runtime: Runtime) -> set[str]:
    """The companies whose events we keep: the connected ones (only the pinned QBO_REALM_ID when one is set)."""
    # A company's connection is stored before our first call to it, so no Bill of ours exists in one without.
    query = select(QboConnection.realm_id)
    if runtime.settings.qbo_realm_id:
        query = query.where(QboConnection.realm_id == runtime.settings.qbo_realm_id)
    with runtime.sessions() as session:
        return set(session.scalars(query))


def record_events(runtime: Runtime, events: list[dict]) -> int:
    """Store each new event of our companies (a repeat is skipped by its key), queue one reconcile per entity.

    `events` as webhooks.quickbooks.events_of gives them, e.g. [{"key": "0c1f...", "realm": "9341...",
    "entity": "Bill", "id": "145", "operation": "Update"}]; answers how many were new.
    """
    ours = our_realms(runtime)
    foreign = sorted({event["realm"] for event in events} - ours)
    if foreign:
        log.info("dropped QuickBooks events of companies we are not connected to: %s", ", ".join(foreign[:5]))
    keyed = {digest(event["key"]): event for event in events if event["realm"] in ours}
    try:
        with UnitOfWork(runtime) as uow:
            return _record(uow, keyed)
    except IntegrityError:
        # A concurrent delivery of some of the same events won the insert: record the rest one at a time.
        return sum(_record_alone(runtime, key, event) for key, event in keyed.items())


def _record(uow: UnitOfWork, keyed: dict[str, dict]) -> int:
    keys = list(keyed)
    seen = set()
    for start in range(0, len(keys), CHUNK):
        seen.update(
            uow.session.scalars(
                select(WebhookDelivery.delivery_id).where(
                    WebhookDelivery.source == SOURCE, WebhookDelivery.delivery_id.in_(keys[start : start + CHUNK])
                )
            )
        )
    new = [
        WebhookDelivery(source=SOURCE, delivery_id=key, subject=subject_of(event), payload=event)
        for key, event in keyed.items()
        if key not in seen
    ]
    uow.session.add_all(new)
    uow.session.flush()
    first = {}
    for delivery in new:
        first.setdefault(delivery.subject, delivery.id)
    for delivery_id in first.values():
        uow.emit(QuickBooksEventRecorded(delivery_id))
    return len(new)


def _record_alone(runtime: Runtime, key: str, event: dict) -> int:
    try:
        with UnitOfWork(runtime) as uow:
            return _record(uow, {key: event})
    except IntegrityError:
        return 0
