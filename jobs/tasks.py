"""The RQ tasks: each takes ids and calls one service on the runtime the worker built at start-up."""

import random
from datetime import timedelta

from jobs.registry import done_later, enqueue, leave_to_put_off, put_off, retry_later, starting_later
from models.base import utcnow
from services.erp import delivery as erp_delivery
from services.erp import komet
from services.files import attachment
from services.home import tab as home_tab
from services.ports import QboThrottled, SlackPaced
from services.read import cards
from services.reconcile import bills as reconcile
from services.runtime import Runtime
from services.sync import single as bill_sync

_runtime: Runtime | None = None


def configure(runtime: Runtime) -> None:
    """Give this process's tasks their runtime (the worker does it once at start-up)."""
    global _runtime
    _runtime = runtime


def current() -> Runtime:
    """The runtime `configure` gave; a task run before it is a bug, not a reason to read the environment."""
    if _runtime is None:
        raise RuntimeError("jobs.tasks.configure(runtime) was not called in this process")
    return _runtime


def sync_invoice(invoice_id: int) -> str:
    """Create (or adopt) the Bill of an invoice in ES; a throttle waits its time out, another failure leaves it in
    ES, counted as retried, for RQ's retry."""
    runtime = current()
    try:
        return bill_sync.sync_invoice(runtime, invoice_id)
    except QboThrottled as throttled:
        runtime.meter.sync_ended("ES", throttled)
        # A throttle is the company's wait (after a 429, QBO_THROTTLE_BACKOFF: Intuit says "wait 60 seconds before
        # retrying"), not this invoice's failure: it comes back when the wait ends and spends none of its retries. On
        # RQ's growing schedule a few throttles in a row would put it off for many minutes, or use its retries up.
        backoff = runtime.settings.qbo_throttle_backoff
        wait = min(throttled.retry_after, backoff) if throttled.retry_after is not None else backoff
        retry_later(runtime.redis, sync_invoice, invoice_id, delay=timedelta(seconds=wait + random.uniform(0, 2)))
        return "throttled"
    except Exception as error:
        runtime.meter.sync_ended("ES", error)
        raise


def refresh_cards(invoice_id: int, audit_id: int | None = None) -> str:
    """Bring the invoice's Slack cards up to date and tell audit entry `audit_id` and those after it in threads."""
    return _refresh(invoice_id, audit_id, "urgent")


def refresh_cards_in_bulk(invoice_id: int, audit_id: int | None = None) -> str:
    """refresh_cards for one of the invoices a change revised in bulk, on the bulk queue behind the syncs."""
    return _refresh(invoice_id, audit_id, "bulk")


def refresh_cards_later(invoice_id: int) -> str:
    """A refresh Slack's pacing put off, now that its turn came: it tells everything still untold."""
    runtime = current()
    starting_later(runtime.redis, invoice_id)
    outcome = _refresh(invoice_id, None, "deferred", again=True)
    if outcome == "done" and not done_later(runtime.redis, invoice_id):
        # A change was left to this refresh after it read what to tell: it comes round again for it.
        put_off(runtime.redis, refresh_cards_later, invoice_id, timedelta(seconds=1), again=True)
        return "again"
    return outcome


def _refresh(invoice_id: int, audit_id: int | None, mode: str, again: bool = False) -> str:
    runtime = current()
    if mode == "bulk" and leave_to_put_off(runtime.redis, invoice_id):
        # Its booked refresh tells this change too; a month-end's thousands of Bills cost no card work here.
        return "put off"
    try:
        cards.refresh_cards(runtime, invoice_id, audit_id, mode)
    except SlackPaced as paced:
        # Not RQ's retry (its schedule knows nothing of Slack's pace, and a backlog would use the retries up): the
        # invoice's one put-off refresh comes back when the pacing says, and tells every change waiting by then.
        put_off(runtime.redis, refresh_cards_later, invoice_id, timedelta(seconds=paced.wait), again=again)
        return "put off"
    return "done"


def reconcile_delivery(delivery_id: int) -> str:
    """Apply one recorded QuickBooks event."""
    return reconcile.reconcile_delivery(current(), delivery_id)


def deliver_erp_events(invoice_id: int) -> None:
    """Push the invoice's due ERP events in order; a retry waits on the scheduler until it is due."""
    runtime = current()
    due = erp_delivery.deliver_events(runtime, invoice_id)
    if due is not None:
        enqueue(runtime.redis, deliver_erp_events, invoice_id, delay=max(due - utcnow(), timedelta(0)))


def mark_in_komet(invoice_id: int) -> None:
    """Tell Komet the Synchronized invoice is Synchronized; a retry waits on the scheduler until it is due."""
    runtime = current()
    due = komet.mark_in_komet(runtime, invoice_id)
    if due is not None:
        enqueue(runtime.redis, mark_in_komet, invoice_id, delay=max(due - utcnow(), timedelta(0)))


def attach_file(invoice_id: int) -> str:
    """Put the Synchronized invoice's file on its Bill, once; a passing failure raises so RQ tries again."""
    return attachment.attach_file(current(), invoice_id)


def publish_home(user_id: str) -> None:
    """Publish the Home tab of the person who opened it: what waits for them now."""
    home_tab.publish_home(current(), user_id)
