"""A worker's queues: cards and syncs take turns while both wait, the other queues behind them in their order."""

import time

from rq.job import Job

from jobs.registry import BULK_QUEUE, ERP_QUEUE, RECONCILE_QUEUE, SLACK_QUEUE, SYNC_QUEUE, queue, queues
from jobs.worker import InProcessWorker


def ran_in_order(runtime, waiting: list[str]) -> list[str]:
    """Queue one no-op job on each named queue, in order; run them all with the app's worker; their queues as run."""
    jobs = [queue(runtime.redis, name).enqueue(time.sleep, 0) for name in waiting]
    InProcessWorker(queues(runtime.redis), connection=runtime.redis).work(burst=True)
    done = [Job.fetch(job.id, connection=runtime.redis) for job in jobs]
    return [job.origin for job in sorted(done, key=lambda job: job.started_at)]


def test_a_backlog_of_cards_never_holds_the_syncs_behind_it(runtime):
    order = ran_in_order(runtime, [SLACK_QUEUE] * 5 + [SYNC_QUEUE] * 2)
    # RQ's default would run all five cards first: here each sync waits for one card at most.
    assert order == [SLACK_QUEUE, SYNC_QUEUE, SLACK_QUEUE, SYNC_QUEUE, SLACK_QUEUE, SLACK_QUEUE, SLACK_QUEUE]


def test_a_backlog_of_syncs_never_holds_a_card_behind_it(runtime):
    order = ran_in_order(runtime, [SYNC_QUEUE] * 4 + [SLACK_QUEUE])
    assert order == [SLACK_QUEUE, SYNC_QUEUE, SYNC_QUEUE, SYNC_QUEUE, SYNC_QUEUE]


def test_the_other_queues_wait_until_cards_and_syncs_are_done_then_go_in_their_order(runtime):
    order = ran_in_order(runtime, [ERP_QUEUE, BULK_QUEUE, RECONCILE_QUEUE, SYNC_QUEUE, SLACK_QUEUE, SLACK_QUEUE])
    assert order == [SLACK_QUEUE, SYNC_QUEUE, SLACK_QUEUE, RECONCILE_QUEUE, BULK_QUEUE, ERP_QUEUE]
