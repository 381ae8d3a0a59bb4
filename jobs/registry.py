"""Every job the app runs: queue, function, retries, timeout and TTLs; the only module passing RQ enqueue options."""

import time
from dataclasses import dataclass
from datetime import timedelta

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from services.sync_steps import SYNC_SECONDS

# Separated by urgency: what a person waits for in Slack, then Bill creation (the queue's old name, so jobs
# queued before the split still run), then reconciling what QuickBooks reports.
SLACK_QUEUE, SYNC_QUEUE, RECONCILE_QUEUE = "invoice-sync-slack", "invoice-sync", "invoice-sync-reconcile"
# Priority order: RQ's default dequeue strategy takes the next job from the first non-empty queue in the
# order the worker was given (python-rq.org/docs/workers: "the order is important"; rq.Queue.dequeue_any).
QUEUE_NAMES = (SLACK_QUEUE, SYNC_QUEUE, RECONCILE_QUEUE)
WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class JobSpec:
    """How one kind of job is enqueued; `job_id` names the one live job per argument, when there is one."""

    function: str
    queue: str
    timeout: int
    retry: Retry | None = None
    failure_ttl: int = WEEK
    result_ttl: int | None = None
    job_id: str | None = None


JOBS = {
    "refresh_cards": JobSpec("jobs.tasks.refresh_cards", SLACK_QUEUE, timeout=120,
                             retry=Retry(max=8, interval=[1, 2, 5, 10, 30, 60, 120, 300])),
    "sync_invoice": JobSpec("jobs.tasks.sync_invoice", SYNC_QUEUE, timeout=SYNC_SECONDS, job_id="sync-invoice-{}",
                            retry=Retry(max=10, interval=[5, 15, 30, 60, 60, 120, 300, 600, 900, 1800])),
    "reconcile_delivery": JobSpec("jobs.tasks.reconcile_delivery", RECONCILE_QUEUE, timeout=120,
                                  job_id="qbo-event-{}", retry=Retry(max=6, interval=[2, 10, 30, 60, 300, 900])),
    # The sweep re-publishes lost syncs and card refreshes, so it must not wait behind a reconcile backlog.
    "sweep": JobSpec("jobs.tasks.sweep", SYNC_QUEUE, timeout=600, failure_ttl=24 * 3600, result_ttl=600),
}
SWEEP_PREFIX = "qbo-sweep-"


def queue(redis: Redis, name: str) -> Queue:
    """The RQ queue `name` on `redis`."""
    return Queue(name, connection=redis)


def queues(redis: Redis) -> list[Queue]:
    """Every queue of the app in priority order, as a worker listens to them."""
    return [queue(redis, name) for name in QUEUE_NAMES]


def queue_of(redis: Redis, name: str) -> Queue:
    """The queue job `name` runs on, e.g. the Slack queue for 'refresh_cards'."""
    return queue(redis, JOBS[name].queue)


def job_id(name: str, *args) -> str | None:
    """The id of the one live `name` job for `args`, e.g. 'sync-invoice-42'; a sweep gets a fresh one each time."""
    if name == "sweep":
        return f"{SWEEP_PREFIX}{int(time.time() * 1000)}"
    spec = JOBS[name]
    return spec.job_id.format(*args) if spec.job_id else None


def enqueue(redis: Redis, name: str, *args, pipeline=None, delay: timedelta | None = None) -> Job:
    """Enqueue job `name` on its queue with its registered options (after `delay`, through the worker's scheduler)."""
    spec = JOBS[name]
    options = dict(job_id=job_id(name, *args), retry=spec.retry, job_timeout=spec.timeout,
                   failure_ttl=spec.failure_ttl, result_ttl=spec.result_ttl, pipeline=pipeline)
    options = {key: value for key, value in options.items() if value is not None}
    if delay is not None:
        return queue_of(redis, name).enqueue_in(delay, spec.function, *args, **options)
    return queue_of(redis, name).enqueue(spec.function, *args, **options)


def status_of(redis: Redis, name: str, *args) -> JobStatus | None:
    """The status of the one live `name` job for `args`, or None when Redis has none."""
    try:
        return Job.fetch(job_id(name, *args), connection=redis).get_status()
    except NoSuchJobError:
        return None
