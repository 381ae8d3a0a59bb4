"""Recording QuickBooks webhook events once each, for the reconcile job to apply."""

from sqlalchemy.exc import IntegrityError

from invoices.events import QuickBooksEventRecorded
from models import WebhookDelivery
from services.runtime import Runtime
from services.unit_of_work import UnitOfWork

SOURCE = "quickbooks"


def record_events(runtime: Runtime, events: list[dict]) -> int:
    """Store each new event (a repeat is skipped by its key) and publish it; answers how many were new."""
    new = 0
    for event in events:
        try:
            with UnitOfWork(runtime) as uow:
                delivery = WebhookDelivery(source=SOURCE, delivery_id=event["key"], payload=event)
                uow.session.add(delivery)
                uow.session.flush()
                uow.emit(QuickBooksEventRecorded(delivery.id))
            new += 1
        except IntegrityError:
            continue
    return new
