"""Queues by urgency, and every domain event followed to its task through objects, never through strings."""

import inspect
import typing

from invoices import events
from invoices.events import Event, InvoiceChanged, QuickBooksEventRecorded, SyncRequested
from jobs import sweep, tasks
from jobs.publisher import TASK_OF, job_of, jobs_of
from jobs.registry import JOBS, QUEUE_NAMES, job_id, path_of, spec_of

TASKS = [
    tasks.refresh_cards,
    tasks.refresh_cards_in_bulk,
    tasks.refresh_cards_later,
    tasks.sync_invoice,
    tasks.reconcile_delivery,
    tasks.deliver_erp_events,
    tasks.mark_in_komet,
    tasks.attach_file,
    tasks.publish_home,
    sweep.sweep,
]


def test_every_job_runs_on_one_of_the_queues_the_worker_listens_to():
    assert {spec.queue for spec in JOBS.values()} == set(QUEUE_NAMES)


def test_card_refreshes_come_first_then_syncs_reconciliation_bulk_cards_and_last_the_erps_events():
    assert QUEUE_NAMES.index(spec_of(tasks.refresh_cards).queue) == 0
    assert QUEUE_NAMES.index(spec_of(tasks.sync_invoice).queue) == 1
    assert QUEUE_NAMES.index(spec_of(tasks.reconcile_delivery).queue) == 2
    assert QUEUE_NAMES.index(spec_of(tasks.refresh_cards_in_bulk).queue) == 3
    assert QUEUE_NAMES.index(spec_of(tasks.deliver_erp_events).queue) == len(QUEUE_NAMES) - 1


def test_a_unit_of_work_refreshes_the_cards_of_the_invoice_it_changed_first_now_and_the_others_in_bulk():
    # A new invoice whose upload renamed its vendor: the reopened invoices' entries come after the upload's, but
    # their events were emitted first (services/intake/uploads.py).
    events = [InvoiceChanged(7, 11), InvoiceChanged(8, 12), SyncRequested(9), InvoiceChanged(5, 10)]
    assert jobs_of(events) == [
        (tasks.refresh_cards_in_bulk, 7, 11),
        (tasks.refresh_cards_in_bulk, 8, 12),
        (tasks.sync_invoice, 9),
        (tasks.refresh_cards, 5, 10),
    ]
    assert jobs_of([InvoiceChanged(5, 10), InvoiceChanged(5, 13)]) == [
        (tasks.refresh_cards, 5, 10),
        (tasks.refresh_cards, 5, 13),
    ]


def test_a_bulk_card_refresh_is_covered_by_one_waiting_for_the_same_invoice_on_the_slack_queue():
    bulk, urgent = spec_of(tasks.refresh_cards_in_bulk), spec_of(tasks.refresh_cards)
    assert bulk.coalesce and urgent.coalesce and JOBS[bulk.covered_by] is urgent
    assert job_id(tasks.refresh_cards, 42, 7) == "refresh-cards-42" != job_id(tasks.refresh_cards_in_bulk, 42, 7)


def test_the_sweep_does_not_wait_behind_a_reconcile_backlog():
    assert spec_of(sweep.sweep).queue != spec_of(tasks.reconcile_delivery).queue


def test_syncs_keep_the_queue_name_and_import_path_they_had_so_jobs_queued_before_still_run():
    assert spec_of(tasks.sync_invoice).queue == "invoice-sync"
    assert path_of(tasks.sync_invoice) == "jobs.tasks.sync_invoice"


def test_each_event_becomes_the_job_on_its_urgency_queue():
    queues = {spec_of(job_of(event)[0]).queue for event in (InvoiceChanged(1, 2), SyncRequested(1))}
    assert queues == {QUEUE_NAMES[0], QUEUE_NAMES[1]}
    assert job_of(QuickBooksEventRecorded(7)) == (tasks.reconcile_delivery, 7)
    assert job_id(tasks.reconcile_delivery, 7) == "qbo-event-7"


def test_every_domain_event_type_has_a_task():
    declared = set(typing.get_args(Event))
    defined = {cls for _, cls in inspect.getmembers(events, inspect.isclass) if cls.__module__ == events.__name__}
    assert declared == defined, "an event class is missing from the Event union"
    assert set(TASK_OF) == declared


def test_each_event_passes_its_fields_to_a_task_that_takes_them():
    for event_type, task in TASK_OF.items():
        fields = list(event_type.__dataclass_fields__)
        assert list(inspect.signature(task).parameters) == fields, f"{task.__name__} does not take {fields}"


def test_every_task_has_a_registered_spec_and_every_spec_names_one_task():
    assert sorted(task.__name__ for task in TASKS) == sorted(JOBS)
    assert set(TASK_OF.values()) <= set(TASKS)


def test_rq_import_paths_derived_from_the_tasks_import_back_to_them():
    for task in TASKS:
        module, name = path_of(task).rsplit(".", 1)
        assert getattr(__import__(module, fromlist=[name]), name) is task
