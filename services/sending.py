"""Sending an approved invoice to QuickBooks (A → ES, or Retry F → ES) and queueing its sync job."""

import logging

from rq import Retry

from invoices.rules import Actor
from invoices.statuses import Action, Status
from models.database import transaction
from services.actions import ActionResult, apply_action
from services.events import announce
from services.runtime import Runtime

log = logging.getLogger(__name__)
SYNC_JOB = "jobs.sync.sync_invoice"
SYNC_TIMEOUT = 300


def request_sync(
    runtime: Runtime,
    invoice_id: int,
    actor: Actor,
    action: Action = Action.SEND,
    expected_status: Status | None = None,
) -> ActionResult:
    """Apply Send or Retry in its own transaction, then queue the sync and the Slack refresh."""
    with transaction(runtime.sessions) as session:
        result = apply_action(session, invoice_id, action, actor, expected_status=expected_status,
                              bill_number_format=runtime.settings.bill_number_format)
    if result.changed:
        enqueue_sync(runtime, invoice_id)
        announce(runtime, invoice_id, result.audit_id)
    return result


def sync_job_id(invoice_id: int) -> str:
    """The RQ job id of an invoice's sync, e.g. 'sync-invoice-42'; one job per invoice at a time."""
    return f"sync-invoice-{invoice_id}"


def enqueue_sync(runtime: Runtime, invoice_id: int) -> None:
    """Queue the sync job of an invoice in ES; if Redis is down, the ES sweep queues it later."""
    try:
        runtime.queue().enqueue(
            SYNC_JOB, invoice_id,
            job_id=sync_job_id(invoice_id),
            retry=Retry(max=10, interval=[5, 15, 30, 60, 60, 120, 300, 600, 900, 1800]),
            job_timeout=SYNC_TIMEOUT, failure_ttl=7 * 24 * 3600,
        )
    except Exception:  # noqa: BLE001 - the invoice is in ES in the database; the sweep finds it
        log.exception("could not enqueue the sync of invoice %s", invoice_id)
