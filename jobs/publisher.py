"""The one place that enqueues: each committed domain event becomes its job."""

import logging
from collections.abc import Sequence

from redis import Redis

from invoices.events import Event, InvoiceChanged, QuickBooksEventRecorded, SyncRequested
from jobs.registry import enqueue

log = logging.getLogger(__name__)


def job_of(event: Event) -> tuple:
    """The registered job name and arguments an event runs, e.g. ('sync_invoice', 42)."""
    if isinstance(event, InvoiceChanged):
        return "refresh_cards", event.invoice_id, event.audit_id
    if isinstance(event, SyncRequested):
        return "sync_invoice", event.invoice_id
    if isinstance(event, QuickBooksEventRecorded):
        return "reconcile_delivery", event.delivery_id
    raise TypeError(f"no job handles {event!r}")


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
