"""Idempotency keys are kept IDEMPOTENCY_KEEP_DAYS, then pruned by the periodic sweep in bounded batches.

An upload's and an ERP action's `webhook-id` and a QuickBooks event's key (`webhook_deliveries`) let a repeat be
recognised: within the window a repeat is answered as one; past it the key is gone and the table stops growing.
A QuickBooks event is pruned only once processed: an unapplied one still waits for its reconcile.
"""

import logging
from datetime import timedelta

from sqlalchemy import and_, delete, or_, select

from models import WebhookDelivery
from models.base import utcnow
from models.database import transaction
from services.intake.erp_actions import SOURCE as ERP_ACTIONS
from services.intake.uploads import DELIVERIES as UPLOADS
from services.reconcile.quickbooks_events import SOURCE as QUICKBOOKS_EVENTS
from services.runtime import Runtime

log = logging.getLogger(__name__)
# Rows deleted by one sweep: a short transaction a minute, whatever backlog a first run after an upgrade finds.
BATCH = 1000


def prune_keys(runtime: Runtime, batch: int = BATCH) -> int:
    """Delete up to `batch` of the oldest keys received before the window; how many were deleted."""
    cutoff = utcnow() - timedelta(days=runtime.settings.idempotency_keep_days)
    expired = and_(
        WebhookDelivery.received_at < cutoff,
        or_(
            WebhookDelivery.source.in_((UPLOADS, ERP_ACTIONS)),
            and_(WebhookDelivery.source == QUICKBOOKS_EVENTS, WebhookDelivery.processed_at.is_not(None)),
        ),
    )
    with transaction(runtime.sessions) as session:
        ids = session.scalars(select(WebhookDelivery.id).where(expired).order_by(WebhookDelivery.id).limit(batch)).all()
        if ids:
            session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
    if ids:
        log.info("pruned %d idempotency keys older than %d days", len(ids), runtime.settings.idempotency_keep_days)
    return len(ids)
