"""What the database and Redis hold, read at scrape time: invoices by status and age, the QuickBooks connection,
the ERP's events and the job queues. A few cheap queries per scrape; a store that does not answer is reported as
down (invoice_sync_store_up) instead of failing the scrape."""

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from redis import RedisError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from invoices.statuses import Status
from jobs.registry import QUEUE_NAMES, queue
from models import ErpEvent, Invoice, QboConnection
from models.base import utcnow
from services.runtime import Runtime

log = logging.getLogger(__name__)
PREFIX = "invoice_sync_"
# The statuses in which an invoice waits for someone (AP, AA) or for the sync (ES): their oldest invoice's age.
WAITING = (Status.PENDING_PROCUREMENT, Status.PENDING_ACCOUNTING, Status.SENT)


class StateCollector:
    """A prometheus_client collector of the runtime's database and Redis, read on each collect()."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def describe(self) -> list[Metric]:
        """Nothing up front: registering must not query the stores."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Every gauge of the stores, and whether each store answered."""
        up = GaugeMetricFamily(
            f"{PREFIX}store_up", "Whether the store answered this scrape (1) or not (0)", labels=["store"]
        )
        for store, read in (("database", self._database), ("redis", self._redis)):
            try:
                families = list(read())
            except (SQLAlchemyError, RedisError, OSError) as error:
                log.info("metrics: the %s did not answer the scrape (%s)", store, type(error).__name__)
                families = []
            up.add_metric([store], 1 if families else 0)
            yield from families
        yield up

    def _database(self) -> Iterator[Metric]:
        now = utcnow()
        with self.runtime.sessions() as session:
            by_status = session.execute(
                select(Invoice.status, func.count(), func.min(Invoice.stage_since)).group_by(Invoice.status)
            ).all()
            connections = session.execute(select(QboConnection.realm_id, QboConnection.broken_since)).all()
            pending, delivered, dead = session.execute(
                select(
                    func.count(ErpEvent.next_attempt_at),
                    func.count(ErpEvent.delivered_at),
                    func.count(ErpEvent.dead_at),
                )
            ).one()
        counts = {status: count for status, count, _ in by_status}
        invoices = GaugeMetricFamily(
            f"{PREFIX}invoices", "Invoices by status (AP, AA, A, R, ES, S, F, P)", labels=["status"]
        )
        for status in Status:
            invoices.add_metric([status.value], counts.get(status.value, 0))
        yield invoices
        oldest = {status: since for status, _, since in by_status}
        age = GaugeMetricFamily(
            f"{PREFIX}oldest_invoice_age_seconds",
            "How long the oldest invoice in AP, AA or ES has been in that status (0 when none is)",
            labels=["status"],
        )
        for status in WAITING:
            since = oldest.get(status.value)
            age.add_metric([status.value], max(0.0, (now - since).total_seconds()) if since else 0.0)
        yield age
        broken = GaugeMetricFamily(
            f"{PREFIX}quickbooks_connection_broken",
            "1 while QuickBooks refuses the company's connection (the accounting channel was told), else 0",
            labels=["company"],
        )
        for realm_id, broken_since in connections:
            broken.add_metric([realm_id], 1 if broken_since else 0)
        yield broken
        events = GaugeMetricFamily(
            f"{PREFIX}erp_events", "Events for the ERP: pending (to push), delivered, dead (gave up)", labels=["state"]
        )
        for state, count in (("pending", pending), ("delivered", delivered), ("dead", dead)):
            events.add_metric([state], count)
        yield events

    def _redis(self) -> Iterator[Metric]:
        queues = [queue(self.runtime.redis, name) for name in QUEUE_NAMES]
        with self.runtime.redis.pipeline(transaction=False) as pipe:
            for each in queues:
                pipe.llen(each.key)
                pipe.zcard(each.failed_job_registry.key)
                pipe.zcard(each.scheduled_job_registry.key)
            answers = pipe.execute()
        depth = GaugeMetricFamily(f"{PREFIX}queue_depth", "Jobs waiting in each RQ queue", labels=["queue"])
        failed = GaugeMetricFamily(
            f"{PREFIX}queue_failed_jobs",
            "Jobs that failed for good, kept in each queue's failed registry",
            labels=["queue"],
        )
        scheduled = GaugeMetricFamily(
            f"{PREFIX}queue_scheduled_jobs", "Jobs waiting for their time (retries, later attempts)", labels=["queue"]
        )
        for index, each in enumerate(queues):
            for family, answer in zip((depth, failed, scheduled), answers[3 * index : 3 * index + 3], strict=True):
                family.add_metric([each.name], answer)
        yield from (depth, failed, scheduled)
