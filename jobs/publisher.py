"""The one place that enqueues: each committed domain event becomes the job of its task."""

import logging
from collections.abc import Sequence
from dataclasses import astuple

from redis import Redis

from invoices.events import (
    AttachmentDue,
    ErpEventsWritten,
    Event,
    HomeOpened,
    InvoiceChanged,
    KometMarkDue,
    QuickBooksEventRecorded,
    SyncRequested,
)
from jobs import tasks
from jobs.registry import Task, enqueue_all

log = logging.getLogger(__name__)

# Each event type and the task it runs, called with the event's fields in order (tests check every type has one).
TASK_OF: dict[type[Event], Task] = {
    InvoiceChanged: tasks.refresh_cards,
    SyncRequested: tasks.sync_invoice,
    QuickBooksEventRecorded: tasks.reconcile_delivery,
    ErpEventsWritten: tasks.deliver_erp_events,
    KometMarkDue: tasks.mark_in_komet,
    AttachmentDue: tasks.attach_file,
    HomeOpened: tasks.publish_home,
}


def job_of(event: Event) -> tuple:
    """The task an event runs and its arguments, e.g. (tasks.sync_invoice, 42) for SyncRequested(42)."""
    try:
        return TASK_OF[type(event)], *astuple(event)
    except KeyError:
        raise TypeError(f"no task handles {event!r}") from None


def jobs_of(events: Sequence[Event]) -> list[tuple]:
    """The jobs of one unit of work's events, the card refreshes of the invoices it changed in bulk on the bulk queue.

    A unit of work is about the invoice it changed first (its lowest audit entry: the upload, the click); the others
    it changed (a vendor's new payee revises all its open invoices) are bulk, and so are all but one of a sweep's."""
    changed = [event for event in events if isinstance(event, InvoiceChanged)]
    first = min(changed, key=lambda event: (event.audit_id is None, event.audit_id or 0), default=None)
    jobs = []
    for event in events:
        task, *args = job_of(event)
        if task is tasks.refresh_cards and event.invoice_id != first.invoice_id:
            task = tasks.refresh_cards_in_bulk
        jobs.append((task, *args))
    return jobs


class RqPublisher:
    """Publishes events as RQ jobs, all of one unit of work in one Redis round trip (after one read when a card
    refresh may join one already waiting)."""

    def __init__(self, redis: Redis):
        self.redis = redis

    def publish(self, events: Sequence[Event]) -> None:
        """Enqueue the jobs of `events`; if Redis is down they are logged, and the sweeps publish them again."""
        if not events:
            return
        try:
            enqueue_all(self.redis, jobs_of(events))
        except Exception:  # noqa: BLE001 - the change is committed; the sweeps find what was not enqueued
            log.exception("could not enqueue the jobs of %s", ", ".join(map(repr, events)))
