"""The periodic sweep: the database is the truth, so whatever Redis lost or webhooks missed is found here."""

import logging
import time
from datetime import timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select

from invoices.statuses import Status
from jobs.cards import sweep_unannounced
from jobs.quickbooks import Gateway
from jobs.reconcile import enqueue_reconcile, reconcile_bill, reconcile_entity
from jobs.sync import invoice_lock
from models import Invoice, QboConnection, WebhookDelivery
from models.base import utcnow
from models.database import transaction
from services import runtime as runtimes
from services.runtime import Runtime
from services.sending import enqueue_sync, sync_job_id

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60
MARKER = "qbo:sweep:scheduled"
LIVE = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
EVENT_GRACE = timedelta(seconds=30)
CDC_OVERLAP = timedelta(minutes=1)
CDC_HORIZON = timedelta(days=29)


def sweep() -> dict:
    """Re-enqueue ES invoices without a live job and unprocessed events, run the CDC pass, schedule the next."""
    runtime = runtimes.current()
    done = {}
    try:
        for name, part in (("syncs", requeue_stuck_syncs), ("events", requeue_unprocessed_events),
                           ("changes", capture_changes), ("cards", sweep_unannounced)):
            try:
                done[name] = part(runtime)
            except Exception:  # noqa: BLE001 - one failing part must not stop the others; next sweep retries
                log.exception("sweep: %s failed", name)
    finally:
        schedule_next(runtime)
    return done


def requeue_stuck_syncs(runtime: Runtime) -> int:
    """Enqueue the sync of each invoice in ES whose job is missing, failed, finished or died with its worker."""
    with runtime.sessions() as session:
        stuck = session.scalars(select(Invoice.id).where(Invoice.status == Status.SENT.value)).all()
    requeued = 0
    for invoice_id in stuck:
        if not _job_alive(runtime, invoice_id):
            enqueue_sync(runtime, invoice_id)
            requeued += 1
    return requeued


def _job_alive(runtime: Runtime, invoice_id: int) -> bool:
    try:
        status = Job.fetch(sync_job_id(invoice_id), connection=runtime.redis).get_status()
    except NoSuchJobError:
        return False
    if status == JobStatus.STARTED:
        # A SIGKILLed worker leaves its job "started" forever; the invoice lock expires with it.
        return bool(runtime.redis.exists(invoice_lock(runtime, invoice_id).name))
    return status in LIVE


def requeue_unprocessed_events(runtime: Runtime) -> int:
    """Enqueue the reconcile of recorded QuickBooks events still unprocessed after a grace period."""
    with runtime.sessions() as session:
        pending = session.scalars(select(WebhookDelivery.id).where(
            WebhookDelivery.source == "quickbooks", WebhookDelivery.processed_at.is_(None),
            WebhookDelivery.received_at < utcnow() - EVENT_GRACE)).all()
    return sum(enqueue_reconcile(runtime, delivery_id) for delivery_id in pending)


def capture_changes(runtime: Runtime) -> int:
    """Feed every Bill and BillPayment changed since the last pass (QBO's /cdc) to the reconcile logic."""
    with runtime.sessions() as session:
        connection = session.scalars(select(QboConnection).order_by(QboConnection.connected_at.desc())).first()
        if connection is None:
            return 0
        realm_id, checked = connection.realm_id, connection.cdc_checked_at
    started = utcnow()
    since = max(checked - CDC_OVERLAP if checked else started - timedelta(days=1), started - CDC_HORIZON)
    gateway = Gateway(runtime, realm_id)
    found = gateway.changes(since)
    for bill in found["Bill"]:
        reconcile_bill(runtime, gateway, str(bill["Id"]), None if bill.get("status") == "Deleted" else bill)
    for payment in found["BillPayment"]:
        if payment.get("status") != "Deleted":
            reconcile_entity(runtime, gateway, "BillPayment", str(payment["Id"]))
    with transaction(runtime.sessions) as session:
        session.scalars(select(QboConnection).where(QboConnection.realm_id == realm_id)).one().cdc_checked_at = started
    return len(found["Bill"]) + len(found["BillPayment"])


def schedule_next(runtime: Runtime) -> None:
    """Schedule the next sweep in a minute (the RQ worker's scheduler enqueues it) and mark it scheduled."""
    try:
        runtime.queue().enqueue_in(timedelta(seconds=INTERVAL_SECONDS), "jobs.sweep.sweep",
                                   job_id=f"qbo-sweep-{int(time.time() * 1000)}", job_timeout=600,
                                   result_ttl=600, failure_ttl=24 * 3600)
        runtime.redis.set(MARKER, "1", ex=3 * INTERVAL_SECONDS)
    except Exception:  # noqa: BLE001 - ensure_sweep at worker start and maintenance restores the chain
        log.exception("could not schedule the next sweep")


def ensure_sweep(runtime: Runtime) -> None:
    """Start the sweep chain unless one is scheduled; called at worker start and maintenance (Redis flushes)."""
    # SET NX: workers starting together must not each start a chain, which would never end.
    if runtime.redis.set(MARKER, "1", ex=3 * INTERVAL_SECONDS, nx=True):
        runtime.queue().enqueue("jobs.sweep.sweep", job_id=f"qbo-sweep-{int(time.time() * 1000)}", job_timeout=600)
