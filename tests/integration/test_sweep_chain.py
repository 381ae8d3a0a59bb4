"""The periodic sweep chain: exactly one, however many workers start at once."""

import threading

from rq.registry import ScheduledJobRegistry

from jobs.registry import SWEEP_PREFIX, queue_of
from jobs.sweep import ensure_sweep, sweep


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
