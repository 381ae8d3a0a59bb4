"""Every job the app runs: queue, retries, timeout and TTLs by task; the only module passing RQ enqueue options."""

import time
from collections.abc import Callable, Sequence
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
# The cards of the invoices one change revised in bulk (a vendor's new payee reopens all its open invoices) wait
# behind the syncs and reconciles: hundreds of them never delay a fresh card, a click's answer or a sync.
BULK_QUEUE = "invoice-sync-bulk"
# Priority order: RQ's default dequeue strategy takes the next job from the first non-empty queue in the
# order the worker was given (python-rq.org/docs/workers: "the order is important"; rq.Queue.dequeue_any).
QUEUE_NAMES = (SLACK_QUEUE, SYNC_QUEUE, RECONCILE_QUEUE, BULK_QUEUE, ERP_QUEUE)
# A job in these states may already have read what it works on, or will run from a registry, not the queue.
_BUSY = {JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class JobSpec:
    """How one task's jobs are enqueued; `job_id` names the one live job per argument, when there is one.

    `coalesce`: a job published while one of its id still waits in its queue (or one of `covered_by`'s) is left
    out, as that job, when it runs, does the work of both."""

    queue: str
    timeout: int
    retry: Retry | None = None
    failure_ttl: int = WEEK
    result_ttl: int | None = None
    job_id: str | None = None
    coalesce: bool = False
    covered_by: str | None = None


CARD_RETRY = Retry(max=8, interval=[1, 2, 5, 10, 30, 60, 120, 300])
# Keyed by the task function's name (jobs/tasks.py, and jobs/sweep.py's sweep); tests/unit/test_job_queues.py
# checks that each key names exactly one task and each task has its spec.
JOBS = {
    # One waiting refresh per invoice however many changes wait: it tells every thread line not yet told.
    "refresh_cards": JobSpec(SLACK_QUEUE, timeout=120, job_id="refresh-cards-{}", coalesce=True, retry=CARD_RETRY),
    # The same for the invoices a change revised in bulk, behind the syncs; a refresh waiting on the Slack queue
    # covers it (jobs.publisher decides which refreshes are bulk).
    "refresh_cards_in_bulk": JobSpec(
        BULK_QUEUE,
        timeout=120,
        job_id="refresh-cards-{}-bulk",
        coalesce=True,
        covered_by="refresh_cards",
        retry=CARD_RETRY,
    ),
    # A refresh Slack's pacing put off (bot/pacing.py), one per invoice, back when its turn on Slack's timeline comes:
    # with the cards, as the pacing spaces them (one every few seconds), not behind the syncs, attachments and ERP.
    "refresh_cards_later": JobSpec(SLACK_QUEUE, timeout=120, job_id="refresh-cards-{}-later", retry=CARD_RETRY),
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
# How long past its due time a later attempt (retry_later, put_off) still counts as the invoice's waiting work.
NEXT_MARGIN_SECONDS = 120
LATER_KEY = "invoice-sync:later"


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


def enqueue(redis: Redis, task: Task, *args, pipeline=None, delay: timedelta | None = None, fresh: bool = False) -> Job:
    """Enqueue `task(*args)` on its queue with its options (after `delay`, through the worker's scheduler).

    `fresh`: under an id of RQ's own, beside the live job (which is running, so it may have read too early)."""
    spec = spec_of(task)
    live_id = None if fresh else job_id(task, *args)
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
    job = queue_of(redis, task).enqueue(path_of(task), *args, **options)
    if live_id is not None:
        # RQ's save keeps the expiry a finished or failed job of the same id had: the waiting job would vanish with it.
        (pipeline if pipeline is not None else redis).persist(job.key)
    return job


def enqueue_all(redis: Redis, jobs: Sequence[tuple]) -> None:
    """Enqueue each (task, *args) in one round trip, after one read when some coalesce (see JobSpec.coalesce)."""
    looked = _look(redis, [slot for task, *args in jobs for slot in _slots(task, args)])
    waiting = {slot for slot, (position, _) in looked.items() if position is not None}
    with redis.pipeline() as pipe:
        for task, *args in jobs:
            slots = _slots(task, args)
            if not slots:
                enqueue(redis, task, *args, pipeline=pipe)
            elif not waiting & set(slots):
                # A waiting job, by the queue's order, runs (and reads the database) after this change committed.
                enqueue(redis, task, *args, pipeline=pipe, fresh=looked[slots[0]][1] in _BUSY)
                waiting.add(slots[0])
        pipe.execute()


def _slots(task: Task, args: Sequence) -> list[tuple[str, str]]:
    """(queue, job id) of the job `task(*args)` coalesces into, then of the one covering it; [] if it never does."""
    spec = spec_of(task)
    if not spec.coalesce:
        return []
    slots = [(spec.queue, spec.job_id.format(*args))]
    if spec.covered_by:
        cover = JOBS[spec.covered_by]
        slots.append((cover.queue, cover.job_id.format(*args)))
    return slots


def _look(redis: Redis, slots: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int | None, JobStatus | None]]:
    """Each slot's place in its queue (None: not waiting there) and its job's status, in one round trip."""
    slots = list(dict.fromkeys(slots))
    if not slots:
        return {}
    with redis.pipeline(transaction=False) as pipe:
        for name, live_id in slots:
            pipe.lpos(queue(redis, name).key, live_id)
            pipe.hget(Job.key_for(live_id), "status")
        answers = pipe.execute()
    found = {}
    for slot, position, status in zip(slots, answers[::2], answers[1::2], strict=True):
        found[slot] = (
            position,
            JobStatus(status.decode() if isinstance(status, bytes) else status) if status else None,
        )
    return found


def retry_later(redis: Redis, task: Task, *args, delay: timedelta) -> Job:
    """Enqueue `task(*args)` again after `delay` as a job of its own, and point the live job's id at it, so the
    sweep finds the invoice's work waiting (status_of) and does not publish it again meanwhile."""
    job = enqueue(redis, task, *args, delay=delay)
    redis.set(f"{job_id(task, *args)}:next", job.id, ex=int(delay.total_seconds()) + NEXT_MARGIN_SECONDS)
    return job


def put_off(redis: Redis, task: Task, invoice_id: int, delay: timedelta, again: bool = False) -> bool:
    """Run `task(invoice_id)` after `delay`, unless one is put off already (`again`: it is that one, moving on).

    The invoices waiting are kept in a sorted set by due time, which the sweep reads so that it does not
    announce their changes again meanwhile; False when one was already waiting (and is told so: leave_to_put_off)."""
    if not again and leave_to_put_off(redis, invoice_id):
        return False
    enqueue(redis, task, invoice_id, delay=delay)
    redis.zadd(LATER_KEY, {invoice_id: time.time() + delay.total_seconds()})
    return True


# A put-off refresh may be running, its untold changes read, when another change of its invoice is left to it: that
# change is noted here, and the refresh, finishing, goes round again instead of leaving it to the sweep's re-announce.
AGAIN_KEY = "invoice-sync:later-again"
_LEAVE = """
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if due and tonumber(due) > tonumber(ARGV[2]) then
  redis.call('SADD', KEYS[2], ARGV[1])
  return 1
end
return 0
"""
_FINISH = """
if redis.call('SREM', KEYS[2], ARGV[1]) == 1 then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
"""


def leave_to_put_off(redis: Redis, invoice_id: int) -> bool:
    """True if `invoice_id` has put-off work due, which then also tells the change that called (atomic in Redis)."""
    return bool(redis.eval(_LEAVE, 2, LATER_KEY, AGAIN_KEY, invoice_id, time.time() - NEXT_MARGIN_SECONDS))


def starting_later(redis: Redis, invoice_id: int) -> None:
    """The put-off work of `invoice_id` starts: what was left to it so far, it reads now."""
    redis.srem(AGAIN_KEY, invoice_id)


def done_later(redis: Redis, invoice_id: int) -> bool:
    """The put-off work of `invoice_id` ran; False (and still waiting) if a change was left to it meanwhile."""
    return bool(redis.eval(_FINISH, 2, LATER_KEY, AGAIN_KEY, invoice_id))


def waiting_later(redis: Redis) -> set[int]:
    """The invoices whose put-off work is still due (put_off), forgetting any that are long past due (lost)."""
    stale = time.time() - NEXT_MARGIN_SECONDS
    redis.zremrangebyscore(LATER_KEY, "-inf", stale)
    return {int(member) for member in redis.zrangebyscore(LATER_KEY, stale, "+inf")}


def status_of(redis: Redis, task: Task, *args) -> JobStatus | None:
    """The status of the one live `task` job for `args` (or of the later attempt retry_later left waiting, while
    the live one is over), or None when Redis has none."""
    live_id = job_id(task, *args)
    status = _status(redis, live_id)
    if status in (None, JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        later = redis.get(f"{live_id}:next")
        if later is not None:
            return _status(redis, later.decode()) or status
    return status


def _status(redis: Redis, live_id: str) -> JobStatus | None:
    try:
        return Job.fetch(live_id, connection=redis).get_status()
    except NoSuchJobError:
        return None
