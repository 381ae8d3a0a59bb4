"""Every job the app runs: queue, retries, timeout and TTLs by task; the only module passing RQ enqueue options."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from services.sync.steps import SYNC_SECONDS

# Separated by urgency: what a person waits for in Slack, then Bill creation (the queue's old name, so jobs
# queued before the split still run), then reconciling what QuickBooks reports, then pushing the ERP's events
# (a slow or failing ERP never delays a card, a sync or a reconcile).
SLACK_QUEUE, SYNC_QUEUE, RECONCILE_QUEUE = "invoice-sync-slack", "invoice-sync", "invoice-sync-reconcile"
ERP_QUEUE = "invoice-sync-erp"
# Priority order: RQ's default dequeue strategy takes the next job from the first non-empty queue in the
# order the worker was given (python-rq.org/docs/workers: "the order is important"; rq.Queue.dequeue_any).
QUEUE_NAMES = (SLACK_QUEUE, SYNC_QUEUE, RECONCILE_QUEUE, ERP_QUEUE)
WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class JobSpec:
    """How one task's jobs are enqueued; `job_id` names the one live job per argument, when there is one."""

    queue: str
    timeout: int
    retry: Retry | None = None
    failure_ttl: int = WEEK
    result_ttl: int | None = None
    job_id: str | None = None


# Keyed by the task function's name (jobs/tasks.py, and jobs/sweep.py's sweep); tests/unit/test_job_queues.py
# checks that each key names exactly one task and each task has its spec.
JOBS = {
    "refresh_cards": JobSpec(SLACK_QUEUE, timeout=120, retry=Retry(max=8, interval=[1, 2, 5, 10, 30, 60, 120, 300])),
    "sync_invoice": JobSpec(
        SYNC_QUEUE,
        timeout=SYNC_SECONDS,
        job_id="sync-invoice-{}",
        retry=Retry(max=10, interval=[5, 15, 30, 60, 60, 120, 300, 600, 900, 1800]),
    ),
    "reconcile_delivery": JobSpec(
        RECONCILE_QUEUE, timeout=120, job_id="qbo-event-{}", retry=Retry(max=6, interval=[2, 10, 30, 60, 300, 900])
    ),
    # A lost lock (another worker pushes the invoice's events) is retried; the sweep catches whatever is left.
    "deliver_erp_events": JobSpec(
        ERP_QUEUE, timeout=600, job_id="erp-events-{}", retry=Retry(max=5, interval=[5, 15, 60, 300, 900])
    ),
    # Komet's mark beside the ERP's events; a lost lock is retried, and the sweep re-publishes a mark still due.
    "mark_in_komet": JobSpec(
        ERP_QUEUE, timeout=120, job_id="komet-mark-{}", retry=Retry(max=5, interval=[5, 15, 60, 300, 900])
    ),
    # The invoice's file on its Bill, behind the syncs; a passing fetch or QuickBooks failure is retried, and the
    # sweep publishes what is still due (files.attachment counts the fetch's failures, and stops at its MAX_TRIES).
    "attach_file": JobSpec(
        RECONCILE_QUEUE, timeout=300, job_id="attach-file-{}", retry=Retry(max=4, interval=[30, 120, 600, 1800])
    ),
    # A person's Home tab, published each time they open it: beside the cards, as they look at Slack right then;
    # a Slack hiccup is retried within a minute.
    "publish_home": JobSpec(SLACK_QUEUE, timeout=120, retry=Retry(max=3, interval=[2, 10, 60])),
    # The sweep re-publishes lost syncs and card refreshes, so it must not wait behind a reconcile backlog.
    "sweep": JobSpec(SYNC_QUEUE, timeout=600, failure_ttl=24 * 3600, result_ttl=600),
}
SWEEP_PREFIX = "qbo-sweep-"


def queue(redis: Redis, name: str) -> Queue:
    """The RQ queue `name` on `redis`."""
    return Queue(name, connection=redis)


def queues(redis: Redis) -> list[Queue]:
    """Every queue of the app in priority order, as a worker listens to them."""
    return [queue(redis, name) for name in QUEUE_NAMES]


Task = Callable[..., object]


def spec_of(task: Task) -> JobSpec:
    """The registered options of `task`, e.g. the Slack queue and eight retries for `tasks.refresh_cards`."""
    return JOBS[task.__name__]


def path_of(task: Task) -> str:
    """The import path RQ stores and a worker imports, e.g. 'jobs.tasks.sync_invoice'."""
    return f"{task.__module__}.{task.__qualname__}"


def queue_of(redis: Redis, task: Task) -> Queue:
    """The queue `task` runs on."""
    return queue(redis, spec_of(task).queue)


def job_id(task: Task, *args) -> str | None:
    """The id of the one live `task` job for `args`, e.g. 'sync-invoice-42'; a sweep gets a fresh one each time."""
    if task.__name__ == "sweep":
        return f"{SWEEP_PREFIX}{int(time.time() * 1000)}"
    spec = spec_of(task)
    return spec.job_id.format(*args) if spec.job_id else None


def enqueue(redis: Redis, task: Task, *args, pipeline=None, delay: timedelta | None = None) -> Job:
    """Enqueue `task(*args)` on its queue with its options (after `delay`, through the worker's scheduler)."""
    spec = spec_of(task)
    live_id = job_id(task, *args)
    if delay is not None and live_id is not None:
        # A later attempt is its own job: the live job (maybe the one scheduling it) keeps its id and its state.
        live_id = f"{live_id}-at-{int(time.time() + delay.total_seconds())}"
    options = dict(
        job_id=live_id,
        retry=spec.retry,
        job_timeout=spec.timeout,
        failure_ttl=spec.failure_ttl,
        result_ttl=spec.result_ttl,
        pipeline=pipeline,
    )
    options = {key: value for key, value in options.items() if value is not None}
    if delay is not None:
        return queue_of(redis, task).enqueue_in(delay, path_of(task), *args, **options)
    return queue_of(redis, task).enqueue(path_of(task), *args, **options)


def status_of(redis: Redis, task: Task, *args) -> JobStatus | None:
    """The status of the one live `task` job for `args`, or None when Redis has none."""
    try:
        return Job.fetch(job_id(task, *args), connection=redis).get_status()
    except NoSuchJobError:
        return None
