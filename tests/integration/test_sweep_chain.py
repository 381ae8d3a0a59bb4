"""The periodic sweep chain: exactly one, however many workers start at once."""

import threading

from rq.registry import ScheduledJobRegistry

from jobs.registry import SWEEP_PREFIX, queue_of
from jobs.sweep import ensure_sweep, sweep, sweep_once
from models import SlackCard
from models.database import transaction
from tests.builders import upload


def sweep_jobs(runtime) -> int:
    jobs = queue_of(runtime.redis, sweep)
    scheduled = ScheduledJobRegistry(queue=jobs).get_job_ids()
    return sum(1 for job_id in jobs.job_ids + scheduled if job_id.startswith(SWEEP_PREFIX))


def test_workers_ensuring_the_sweep_together_start_one_chain(runtime):
    def worker(start: threading.Barrier) -> None:
        start.wait()
        ensure_sweep(runtime)

    for _ in range(5):
        runtime.redis.flushdb()
        start = threading.Barrier(8)
        threads = [threading.Thread(target=worker, args=(start,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sweep_jobs(runtime) == 1


def test_a_flushed_redis_gets_its_sweep_chain_back(runtime):
    ensure_sweep(runtime)
    runtime.redis.flushdb()
    ensure_sweep(runtime)
    assert sweep_jobs(runtime) == 1


def test_the_first_sweep_after_redis_lost_its_jobs_tells_recent_changes_at_once(runtime):
    invoice_id = upload(runtime)
    with transaction(runtime.sessions) as session:
        session.add(SlackCard(invoice_id=invoice_id, kind="procurement", channel="C0PROCURE", ts="1796572566.610104"))
    runtime.redis.flushdb()  # the upload's thread line was waiting in a job
    assert sweep_once(runtime, reschedule=False)["cards"] == 0, "a change has two minutes to be told by its own job"
    ensure_sweep(runtime)
    [first] = [job for job in queue_of(runtime.redis, sweep).jobs if job.id.startswith(SWEEP_PREFIX)]
    assert first.args == (True,)
    assert sweep_once(runtime, reschedule=False, after_loss=True)["cards"] == 1
