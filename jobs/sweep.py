"""The periodic sweep: whatever Redis lost or webhooks missed is found in the database and published again."""

import logging
from datetime import timedelta

from rq.job import JobStatus

from invoices.events import AttachmentDue, ErpEventsWritten, KometMarkDue, QuickBooksEventRecorded, SyncRequested
from jobs.registry import enqueue, status_of, waiting_later
from jobs.tasks import attach_file, current, deliver_erp_events, mark_in_komet, reconcile_delivery, sync_invoice
from metrics.counters import REMINDERS_SENT
from qbo.limiter import RECONCILE_PER_MINUTE
from services.changes.reminders import remind_waiting
from services.connection import alerts as connection_alerts
from services.erp.delivery import due_invoices
from services.erp.endpoint import is_gone, post_gone_alert
from services.erp.komet import due_marks
from services.files.attachment import due_attachments, lock_name
from services.reconcile.backlog import announce_backlog
from services.reconcile.retention import prune_keys
from services.reconcile.sweeps import capture_changes, invoices_in_es, waiting_events
from services.reconcile.unannounced import sweep_unannounced
from services.runtime import Runtime
from services.sync.steps import invoice_lock_name

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60
MARKER = "qbo:sweep:scheduled"
LIVE = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
# One sweep a minute publishes no more entities than reconcile's share of a minute's requests can read; the
# rest (a backlog after a large delivery or a Redis flush) waits for the next sweeps.
EVENTS_PER_SWEEP = RECONCILE_PER_MINUTE.amount


def sweep(after_loss: bool = False) -> dict:
    """The periodic sweep's job: one sweep on the worker's runtime (it schedules the next one); `after_loss`: the
    first of a chain ensure_sweep started again, Redis having lost its jobs."""
    return sweep_once(current(), after_loss=after_loss)


def sweep_once(runtime: Runtime, reschedule: bool = True, after_loss: bool = False) -> dict:
    """Re-enqueue ES invoices without a live job and unprocessed events, run the CDC pass, schedule the next.

    The operator's `invoice-sync sweep` passes reschedule=False: the workers' chain goes on, and a second never starts.
    `after_loss`: nothing is in flight any more, so every change not yet in its threads is announced now, not after
    the two minutes a change is otherwise given to be told by its own job.
    """
    settle = {"settle": timedelta(0)} if after_loss else {}
    done = {}
    try:
        # The connection comes first: a probe that finds QuickBooks working again lets this same sweep re-queue.
        for name, part in (
            ("connection", check_connection),
            ("syncs", requeue_stuck_syncs),
            ("events", requeue_unprocessed_events),
            ("changes", capture_changes),
            ("cards", lambda runtime: sweep_unannounced(runtime, waiting=waiting_later(runtime.redis), **settle)),
            ("erp", requeue_erp_events),
            ("komet", requeue_komet_marks),
            ("reminders", remind_waiting),
            ("backlog", announce_backlog),
            ("attachments", requeue_attachments),
            # Last: housekeeping waits for everything that still needs doing.
            ("keys", prune_keys),
        ):
            try:
                done[name] = part(runtime)
            except Exception:  # noqa: BLE001 - one failing part must not stop the others; next sweep retries
                log.exception("sweep: %s failed", name)
        REMINDERS_SENT.inc(done.get("reminders") or 0)
    finally:
        if reschedule:
            schedule_next(runtime)
    return done


def check_connection(runtime: Runtime) -> dict:
    """Probe each broken QuickBooks connection (one call a minute) and post its one alert if not yet posted."""
    return {"restored": connection_alerts.probe(runtime), "alerted": connection_alerts.post_alerts(runtime)}


def requeue_stuck_syncs(runtime: Runtime) -> int:
    """Publish the sync of each invoice in ES whose job is missing, failed, finished or died with its worker."""
    if runtime.health.broken():
        # They stay in ES without calling QuickBooks; the sweep after the probe that restores it re-queues them.
        return 0
    lost = [invoice_id for invoice_id in invoices_in_es(runtime) if not _job_alive(runtime, invoice_id)]
    runtime.publisher.publish([SyncRequested(invoice_id) for invoice_id in lost])
    return len(lost)


def requeue_unprocessed_events(runtime: Runtime) -> int:
    """Publish the reconcile of the oldest entities with events waiting past the grace period and no live job."""
    lost = [
        delivery_id
        for delivery_id in waiting_events(runtime)
        if status_of(runtime.redis, reconcile_delivery, delivery_id) not in LIVE
    ][:EVENTS_PER_SWEEP]
    runtime.publisher.publish([QuickBooksEventRecorded(delivery_id) for delivery_id in lost])
    return len(lost)


def requeue_erp_events(runtime: Runtime) -> int:
    """Publish the push of each invoice with an ERP event due and no live job; while the ERP is gone, its alert."""
    if runtime.settings.erp_events_url is not None and is_gone(runtime):
        post_gone_alert(runtime)
        return 0
    due = [i for i in due_invoices(runtime) if status_of(runtime.redis, deliver_erp_events, i) not in LIVE]
    runtime.publisher.publish([ErpEventsWritten(invoice_id) for invoice_id in due])
    return len(due)


def requeue_komet_marks(runtime: Runtime) -> int:
    """Publish the Komet mark of each invoice whose mark is due and has no live job (a Redis flush loses none)."""
    due = [i for i in due_marks(runtime) if status_of(runtime.redis, mark_in_komet, i) not in LIVE]
    runtime.publisher.publish([KometMarkDue(invoice_id) for invoice_id in due])
    return len(due)


def requeue_attachments(runtime: Runtime) -> int:
    """Publish the attachment of each invoice whose file is still due for its Bill and has no live job."""
    if runtime.health.broken():
        # QuickBooks refuses us: no upload could go through; the sweep after the probe that restores it publishes.
        return 0
    due = []
    for invoice_id in due_attachments(runtime):
        status = status_of(runtime.redis, attach_file, invoice_id)
        # A SIGKILLed worker leaves its job "started" forever; its lock expires with it.
        alive = status in LIVE or (status == JobStatus.STARTED and runtime.locks.held(lock_name(invoice_id)))
        if not alive:
            due.append(invoice_id)
    runtime.publisher.publish([AttachmentDue(invoice_id) for invoice_id in due])
    return len(due)


def _job_alive(runtime: Runtime, invoice_id: int) -> bool:
    status = status_of(runtime.redis, sync_invoice, invoice_id)
    if status == JobStatus.STARTED:
        # A SIGKILLed worker leaves its job "started" forever; the invoice lock expires with it.
        return runtime.locks.held(invoice_lock_name(invoice_id))
    return status in LIVE


def schedule_next(runtime: Runtime) -> None:
    """Schedule the next sweep in a minute (the RQ worker's scheduler enqueues it) and mark it scheduled."""
    try:
        enqueue(runtime.redis, sweep, delay=timedelta(seconds=INTERVAL_SECONDS))
        runtime.redis.set(MARKER, "1", ex=3 * INTERVAL_SECONDS)
    except Exception:  # noqa: BLE001 - ensure_sweep at worker start and maintenance restores the chain
        log.exception("could not schedule the next sweep")


def ensure_sweep(runtime: Runtime) -> None:
    """Start the sweep chain unless one is scheduled; called at worker start and maintenance (Redis flushes)."""
    # SET NX: workers starting together must not each start a chain, which would never end.
    if runtime.redis.set(MARKER, "1", ex=3 * INTERVAL_SECONDS, nx=True):
        enqueue(runtime.redis, sweep, True)
