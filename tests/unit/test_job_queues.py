"""Queues by urgency: what a person waits for in Slack first, Bill creation next, reconciliation last."""

from invoices.events import InvoiceChanged, QuickBooksEventRecorded, SyncRequested
from jobs.publisher import job_of
from jobs.registry import JOBS, QUEUE_NAMES, job_id


def test_every_job_runs_on_one_of_the_queues_the_worker_listens_to():
    assert {spec.queue for spec in JOBS.values()} == set(QUEUE_NAMES)


def test_card_refreshes_come_first_and_reconciliation_last_in_the_workers_order():
    assert QUEUE_NAMES.index(JOBS["refresh_cards"].queue) == 0
    assert QUEUE_NAMES.index(JOBS["sync_invoice"].queue) == 1
    assert QUEUE_NAMES.index(JOBS["reconcile_delivery"].queue) == len(QUEUE_NAMES) - 1


def test_the_sweep_does_not_wait_behind_a_reconcile_backlog():
    assert JOBS["sweep"].queue != JOBS["reconcile_delivery"].queue


def test_syncs_keep_the_queue_name_they_had_so_jobs_queued_before_the_split_still_run():
    assert JOBS["sync_invoice"].queue == "invoice-sync"


def test_each_event_becomes_the_job_on_its_urgency_queue():
    queues = {JOBS[job_of(event)[0]].queue for event in (InvoiceChanged(1, 2), SyncRequested(1))}
    assert queues == {QUEUE_NAMES[0], QUEUE_NAMES[1]}
    assert job_of(QuickBooksEventRecorded(7)) == ("reconcile_delivery", 7)
    assert job_id("reconcile_delivery", 7) == "qbo-event-7"
