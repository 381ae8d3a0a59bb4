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
from jobs.registry import Task, enqueue

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


class RqPublisher:
    """Publishes events as RQ jobs, all of one unit of work in one Redis round trip."""

    def __init__(self, redis: Redis):
        self.redis = redis

    def publish(self, events: Sequence[Event]) -> None:
        """Enqueue the jobs of `events`; if Redis is down they are logged, and the sweeps publish them again."""
        if not events:
            return
        try:
            with self.redis.pipeline() as pipe:
                for event in events:
                    enqueue(self.redis, *job_of(event), pipeline=pipe)
                pipe.execute()
        except Exception:  # noqa: BLE001 - the change is committed; the sweeps find what was not enqueued
            log.exception("could not enqueue the jobs of %s", ", ".join(map(repr, events)))
