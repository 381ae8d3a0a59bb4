"""A sync QuickBooks throttles comes back when the company's wait ends, spending none of its retries, and the sweep
counts the waiting attempt as the invoice's live sync."""

import time

import pytest
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

from jobs import tasks
from jobs.registry import SYNC_QUEUE, queue, status_of
from jobs.sweep import requeue_stuck_syncs
from jobs.tasks import sync_invoice
from jobs.worker import InProcessWorker
from tests.backends import with_settings
from tests.builders import sent_invoice, stored
from tests.integration.helpers import wait


def run_syncs(runtime) -> None:
    """Run the queued syncs through a real RQ worker listening to their queue only (there is no Slack here)."""
    InProcessWorker([queue(runtime.redis, SYNC_QUEUE)], connection=runtime.redis).work(burst=True)


def later_attempt(runtime, invoice_id: int) -> tuple[str, float]:
    """The id and due time (epoch seconds) of the invoice's sync waiting in the scheduler."""
    registry = ScheduledJobRegistry(SYNC_QUEUE, connection=runtime.redis)
    [later] = [job for job in registry.get_job_ids() if job.startswith(f"sync-invoice-{invoice_id}-at-")]
    return later, registry.get_scheduled_time(later).timestamp()


@pytest.fixture
def patient(qbo_runtime):
    """The runtime, as the jobs run on it, holding the company back 30 s after a 429 (QBO_THROTTLE_BACKOFF)."""
    slow = with_settings(qbo_runtime, qbo_throttle_backoff=30)
    tasks.configure(slow)
    yield slow
    tasks.configure(qbo_runtime)


def test_a_throttled_sync_is_due_again_when_the_wait_ends_and_spends_no_retry(patient, sandbox):
    invoice_id = sent_invoice(patient)
    sandbox.fault(kind="throttle", count=1)
    began = time.time()
    run_syncs(patient)
    job = Job.fetch(f"sync-invoice-{invoice_id}", connection=patient.redis)
    assert (job.get_status(), job.return_value()) == (JobStatus.FINISHED, "throttled")
    assert job.retries_left == 10, "a throttle is the company's wait, not one of the invoice's failures"
    assert stored(patient, invoice_id).status == "ES"
    later, due = later_attempt(patient, invoice_id)
    # The company's back-off (plus up to 2 s, so the waiting syncs do not all start at once; RQ keeps whole seconds).
    assert 29 <= due - began <= 34
    assert status_of(patient.redis, sync_invoice, invoice_id) == JobStatus.SCHEDULED
    assert requeue_stuck_syncs(patient) == 0

    Job.fetch(later, connection=patient.redis).delete()  # lost, as with a Redis flush
    assert requeue_stuck_syncs(patient) == 1


def test_the_attempt_after_the_wait_synchronizes(qbo_runtime, sandbox):
    invoice_id = sent_invoice(qbo_runtime)
    sandbox.fault(kind="throttle", count=1)
    run_syncs(qbo_runtime)
    later, _ = later_attempt(qbo_runtime, invoice_id)
    wait(lambda: qbo_runtime.redis.pttl(f"qbo:backoff:{sandbox.realm}") < 0, "the company's back-off over")
    # Its time come, as the worker's scheduler would: off the schedule, onto the queue.
    ScheduledJobRegistry(SYNC_QUEUE, connection=qbo_runtime.redis).remove(later)
    queue(qbo_runtime.redis, SYNC_QUEUE).enqueue_job(Job.fetch(later, connection=qbo_runtime.redis))
    run_syncs(qbo_runtime)
    assert Job.fetch(later, connection=qbo_runtime.redis).return_value() == "S"
    assert stored(qbo_runtime, invoice_id).status == "S" and len(sandbox.bills()) == 1
