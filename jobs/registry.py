"""Every job the app runs: its function, retries, timeout and TTLs; the only module that passes RQ enqueue options."""

import time
from dataclasses import dataclass
from datetime import timedelta

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from services.sync_steps import SYNC_SECONDS

QUEUE_NAMES = ("invoice-sync",)
WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class JobSpec:
    """How one kind of job is enqueued; `job_id` names the one live job per argument, when there is one."""

    function: str
    timeout: int
    retry: Retry | None = None
    failure_ttl: int = WEEK
    result_ttl: int | None = None
    job_id: str | None = None


JOBS = {
    "refresh_cards": JobSpec("jobs.tasks.refresh_cards", timeout=120,
                             retry=Retry(max=8, interval=[1, 2, 5, 10, 30, 60, 120, 300])),
    "sync_invoice": JobSpec("jobs.tasks.sync_invoice", timeout=SYNC_SECONDS, job_id="sync-invoice-{}",
                            retry=Retry(max=10, interval=[5, 15, 30, 60, 60, 120, 300, 600, 900, 1800])),
    "reconcile_delivery": JobSpec("jobs.tasks.reconcile_delivery", timeout=120, job_id="qbo-event-{}",
                                  retry=Retry(max=6, interval=[2, 10, 30, 60, 300, 900])),
    "sweep": JobSpec("jobs.tasks.sweep", timeout=600, failure_ttl=24 * 3600, result_ttl=600),
}
SWEEP_PREFIX = "qbo-sweep-"


def queue(redis: Redis, name: str = QUEUE_NAMES[0]) -> Queue:
    """The RQ queue `name` on `redis`."""
    return Queue(name, connection=redis)


def job_id(name: str, *args) -> str | None:
    """The id of the one live `name` job for `args`, e.g. 'sync-invoice-42'; a sweep gets a fresh one each time."""
    if name == "sweep":
        return f"{SWEEP_PREFIX}{int(time.time() * 1000)}"
    spec = JOBS[name]
    return spec.job_id.format(*args) if spec.job_id else None


def enqueue(redis: Redis, name: str, *args, pipeline=None, delay: timedelta | None = None) -> Job:
    """Enqueue job `name` with its registered options (after `delay`, through the worker's scheduler)."""
    spec = JOBS[name]
    options = dict(job_id=job_id(name, *args), retry=spec.retry, job_timeout=spec.timeout,
                   failure_ttl=spec.failure_ttl, result_ttl=spec.result_ttl, pipeline=pipeline)
    options = {key: value for key, value in options.items() if value is not None}
    if delay is not None:
        return queue(redis).enqueue_in(delay, spec.function, *args, **options)
    return queue(redis).enqueue(spec.function, *args, **options)


def status_of(redis: Redis, name: str, *args) -> JobStatus | None:
    """The status of the one live `name` job for `args`, or None when Redis has none."""
    try:
        return Job.fetch(job_id(name, *args), connection=redis).get_status()
    except NoSuchJobError:
        return None
