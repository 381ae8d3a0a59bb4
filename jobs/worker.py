"""The RQ worker of the app's queues (with its scheduler), outliving Redis outages; `python -m worker` runs it."""

import inspect
import logging
import time
from datetime import timedelta

from redis import Redis
from rq import SimpleWorker, worker_registration
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.utils import now
from rq.worker import WorkerStatus

from jobs import tasks
from jobs.registry import QUEUE_NAMES, SLACK_QUEUE, SYNC_QUEUE, queue
from jobs.scheduler import REDIS_DOWN, SteadyScheduler, backoff
from jobs.sweep import ensure_sweep
from plumbing import lifeline, logs
from services.runtime import Runtime

log = logging.getLogger(__name__)
MAINTENANCE_SECONDS = 60
# RQ blocks on the queues for worker_ttl - 15 s (405 s) by default; returning this often lets an idle worker
# notice a restarted Redis, register again and restart the sweep within seconds.
DEQUEUE_SECONDS = 5


# The queue looked at first after a job of each urgent queue (TakesTurns), and every queue's priority.
TURNS = {SLACK_QUEUE: SYNC_QUEUE, SYNC_QUEUE: SLACK_QUEUE}
_PRIORITY = {name: rank for rank, name in enumerate(QUEUE_NAMES)}


# How long RQ's command-channel thread blocks per read. RQ asks for 60 s, and redis-py 8.2's stop() waits for
# that thread to return, so a worker could take a minute to stop; a second is plenty for `rq` commands.
COMMAND_POLL_SECONDS = 1


class PromptStop:
    """RQ's worker, except that its command channel is read every second, so stopping never waits on it."""

    def subscribe(self):
        """Subscribe to this worker's command channel (RQ's own, with a short read timeout)."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_POLL_SECONDS, daemon=True, exception_handler=self._pubsub_exception_handler
        )


def invoice_of(job) -> int | None:
    """The invoice a job is about: its task's `invoice_id` argument, when it has one."""
    try:
        parameters, args, kwargs = list(inspect.signature(job.func).parameters), job.args, job.kwargs
    except Exception:  # noqa: BLE001 - RQ reports a job it cannot load; the log context just goes without
        return None
    if "invoice_id" in kwargs:
        return kwargs["invoice_id"]
    position = parameters.index("invoice_id") if "invoice_id" in parameters else None
    return args[position] if position is not None and position < len(args) else None


class JobContext:
    """Every line logged while a job runs carries its job id and invoice id (plumbing.logs)."""

    def perform_job(self, job, queue):
        """RQ's perform_job, inside the job's log context; the ids a previous job of this process set are cleared."""
        with logs.bound(job_id=job.id, invoice_id=invoice_of(job), request_id=None, company=None):
            return super().perform_job(job, queue)


class TakesTurns:
    """Cards and syncs take turns while both wait, the other queues behind them in their order.

    RQ's default strategy drains the first non-empty queue before it looks at the next: 1,000 Send clicks queue
    about 2,000 card refreshes ahead of their 1,000 syncs, and no Bill was made until every card was drawn. Its
    round robin would give the bulk and ERP queues the same turns as a person's card. Here, after a card job the
    sync queue is looked at first, after a sync the cards: each waits for at most one job of the other.
    """

    def reorder_queues(self, reference_queue):
        """After a job from `reference_queue`: the other urgent queue first, then the rest in priority order."""
        if reference_queue.name not in TURNS:
            return
        first = TURNS[reference_queue.name]
        self._ordered_queues = sorted(
            self._ordered_queues, key=lambda q: (q.name != first, _PRIORITY.get(q.name, len(_PRIORITY)))
        )


class InProcessWorker(TakesTurns, JobContext, PromptStop, SimpleWorker):
    """RQ's SimpleWorker (jobs run in this process) that stops at once: for tests and benchmarks."""


class AppWorker(TakesTurns, JobContext, PromptStop, SimpleWorker):
    """RQ's worker that waits out Redis outages (back-off up to 5 s), then registers again and re-ensures the sweep.

    Jobs run in the worker's own process (RQ's SimpleWorker), not in a work horse forked for each: a horse opened
    its own PostgreSQL and Redis connections and lost every cache with its exit, 25-40 ms a job, half of the
    workers' time at month-end (docs/benchmarks.md). RQ still times jobs out (SIGALRM raises in the job), a kill
    of the worker ends its job with it, and what a killed job leaves is the sweep's and the locks' as before.
    """

    dequeue_timeout = DEQUEUE_SECONDS
    max_connection_wait_time = 5.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set on any Redis failure: the next maintenance registers this worker again and checks the sweep chain.
        self.redis_lost = False

    def request_stop(self, signum, frame):
        """RQ's warm stop (the job runs to its end); a cold one (the job ends) when `make run`'s launcher is gone."""
        if lifeline.orphaned() and self.get_state() == WorkerStatus.BUSY:
            # Nobody is left to wait for the job (a hung QuickBooks call could hold it for minutes). RQ's cold stop
            # raises SystemExit in the job, which RQ records as the job's failure before its loop looks for a stop
            # request, so one is set first; its own second signal within a second would be ignored, so the stop is
            # dated earlier.
            self._stop_requested = True
            self._shutdown_requested_date = now() - timedelta(seconds=2)
            self.request_force_stop(signum, frame)
        super().request_stop(signum, frame)

    def lost_redis(self, why: object) -> None:
        """Note a Redis failure; the work loop waits for Redis to answer again."""
        if not self.redis_lost:
            log.warning("Worker %s: Redis unreachable (%s); waiting for it", self.name, why)
        self.redis_lost = True

    def _start_scheduler(
        self,
        burst=False,
        logging_level="INFO",
        date_format=DEFAULT_LOGGING_DATE_FORMAT,
        log_format=DEFAULT_LOGGING_FORMAT,
    ):
        if burst:
            return super()._start_scheduler(burst, logging_level, date_format, log_format)
        self.scheduler = SteadyScheduler(
            self.queues,
            connection=self.connection,
            serializer=self.serializer,
            logging_level=logging_level or self.log.level,
            date_format=date_format,
            log_format=log_format,
        )
        self.scheduler.acquire_locks()
        if self.scheduler.acquired_locks:
            self.scheduler.start()
        return None

    def heartbeat(self, timeout=None, pipeline=None):
        """RQ's heartbeat; on its own it never raises, and it notices a Redis that lost this worker (a flush)."""
        if pipeline is not None:
            return super().heartbeat(timeout, pipeline)
        try:
            with self.connection.pipeline() as beat:
                super().heartbeat(timeout, beat)
                created, _ = beat.execute()
        except REDIS_DOWN as error:
            self.lost_redis(error)
            return None
        if created:  # HSET added the field, so the worker's hash was gone
            self.lost_redis("Redis came back without this worker")
        return None

    @property
    def should_run_maintenance_tasks(self):
        """RQ's schedule, and at once after Redis failed."""
        return self.redis_lost or super().should_run_maintenance_tasks

    def run_maintenance_tasks(self):
        """Register again after an outage, RQ's maintenance (it restarts a dead scheduler), then the sweep check."""
        try:
            if self.redis_lost:
                self.register_again()
            super().run_maintenance_tasks()
            ensure_sweep(tasks.current())
        except REDIS_DOWN as error:
            self.lost_redis(error)
            return
        except Exception:  # noqa: BLE001 - the next maintenance round tries again
            log.exception("worker maintenance or the sweep check failed")
        if self.redis_lost:
            log.info("Worker %s: Redis answers again; registered again and the sweep checked", self.name)
        self.redis_lost = False

    def register_again(self) -> None:
        """Write this worker's hash and queue registrations again (idempotent): Redis may have lost them."""
        with self.connection.pipeline() as pipe:
            pipe.hset(self.key, mapping={**self.serialize(), "state": self.get_state()})
            pipe.expire(self.key, self.worker_ttl + 60)
            worker_registration.register(self, pipe)
            pipe.execute()

    def check_for_suspension(self, burst: bool):
        """RQ's `rq suspend` check; without Redis the dequeue below waits for it."""
        try:
            super().check_for_suspension(burst)
        except REDIS_DOWN as error:
            self.lost_redis(error)

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        """RQ's dequeue (which retries a refused connection), also waiting out timeouts and failures around it."""
        delay = 0.0
        while True:
            try:
                return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
            except REDIS_DOWN as error:
                self.lost_redis(error)
                delay = backoff(delay)
                time.sleep(delay)

    def execute_job(self, job, queue):
        """Run the job; if Redis drops around it, note the outage and wait for Redis before taking another."""
        try:
            super().execute_job(job, queue)
        except REDIS_DOWN as error:
            # RQ's registry cleaning fails a job whose end Redis missed; the sweep re-publishes a lost sync.
            self.lost_redis(error)

    def teardown(self):
        """RQ's teardown; without Redis the worker's key expires by itself."""
        try:
            super().teardown()
        except REDIS_DOWN as error:
            log.warning("Worker %s: could not register its stop (%s)", self.name, error)


def own_connection(redis: Redis) -> Redis:
    """A client of the same Redis with its own pool: RQ raises its read timeout above the blocking dequeue,
    which must not loosen the 2 s timeouts the tasks' own calls have."""
    pool = redis.connection_pool
    return Redis(connection_pool=type(pool)(connection_class=pool.connection_class, **pool.connection_kwargs))


def wait_for_redis(redis: Redis) -> None:
    """Return once Redis answers, retrying with back-off (a worker may start before Redis does)."""
    delay = 0.0
    while True:
        try:
            redis.ping()
            return
        except REDIS_DOWN as error:
            delay = backoff(delay)
            log.warning("Redis unreachable (%s); retrying in %.0f s", error, delay)
            time.sleep(delay)


def run(runtime: Runtime) -> None:
    """Give the tasks their runtime, then work the app's queues in priority order until stopped."""
    tasks.configure(runtime)
    connection = own_connection(runtime.redis)
    wait_for_redis(connection)
    worker = AppWorker(
        [queue(connection, name) for name in QUEUE_NAMES],
        connection=connection,
        maintenance_interval=MAINTENANCE_SECONDS,
    )
    worker.work(with_scheduler=True)
