"""Card refreshes coalesce, one waiting per invoice, and a vendor change's bulk never starves the urgent (issue 19)."""

import pytest
from rq.job import Job, JobStatus
from sqlalchemy import select

from invoices.statuses import Action
from jobs import tasks
from jobs.registry import BULK_QUEUE, SLACK_QUEUE, job_id, queue, queues
from jobs.worker import InProcessWorker
from models import AuditEntry, SlackThreadPost
from tests.builders import ACCOUNTANT, AP, BUYER, act, approved_invoice, run_jobs, upload
from tests.sandboxes import ACCOUNTING, PROCUREMENT

OPEN = 40
NEW_PAYEE = "Jardines de Chía SAS"
REVISED = "with invoice FE-NEW; approvals reset"
ROSA = {"code": "ROSAFARM", "name": "Rosa's Farm", "qb_accounting_name": "Rosa's Farm"}


@pytest.fixture
def both_runtime(slack_runtime, sandbox):
    """The test runtime pointed at both sandboxes, its company connected, given to this process's jobs."""
    pointed = sandbox.point(slack_runtime)
    pointed.quickbooks()
    tasks.configure(pointed)
    yield pointed
    tasks.configure(slack_runtime)


def waiting(runtime, name: str) -> list[str]:
    return queue(runtime.redis, name).get_job_ids()


def lines_of(sandbox, channel: str, message: dict) -> list[str]:
    return [reply["text"] for reply in sandbox.thread(channel, message["ts"])]


def test_many_changes_to_one_invoice_leave_one_waiting_refresh_that_tells_each_line_once(slack_runtime, slack_sandbox):
    invoice_id = upload(slack_runtime)
    act(slack_runtime, invoice_id, Action.APPROVE, BUYER)
    act(slack_runtime, invoice_id, Action.APPROVE, ACCOUNTANT)
    act(slack_runtime, invoice_id, Action.SEND, AP)
    assert waiting(slack_runtime, SLACK_QUEUE) == [f"refresh-cards-{invoice_id}"]

    run_jobs(slack_runtime)
    with slack_runtime.sessions() as session:
        entries = session.scalars(select(AuditEntry.id).where(AuditEntry.outcome == "allowed")).all()
        told = session.execute(select(SlackThreadPost.audit_id, SlackThreadPost.card_kind)).all()
    assert len(entries) == 4
    assert sorted(told) == sorted((entry, kind) for entry in entries for kind in ("procurement", "accounting"))
    for channel in (PROCUREMENT, ACCOUNTING):
        (message,) = slack_sandbox.messages(channel)
        assert len(lines_of(slack_sandbox, channel, message)) == 4


def test_a_change_while_the_invoices_refresh_runs_queues_a_second_one_beside_it(slack_runtime):
    invoice_id = upload(slack_runtime)
    live = job_id(tasks.refresh_cards, invoice_id)
    queue(slack_runtime.redis, SLACK_QUEUE).remove(live)
    slack_runtime.redis.hset(Job.key_for(live), "status", JobStatus.STARTED.value)
    act(slack_runtime, invoice_id, Action.APPROVE, BUYER)
    (second,) = waiting(slack_runtime, SLACK_QUEUE)
    assert second != live
    assert Job.fetch(live, connection=slack_runtime.redis).get_status() == JobStatus.STARTED


def test_a_refresh_queued_again_under_a_finished_jobs_id_does_not_expire_while_it_waits(slack_runtime):
    invoice_id = upload(slack_runtime)
    run_jobs(slack_runtime)
    live = job_id(tasks.refresh_cards, invoice_id)
    assert slack_runtime.redis.ttl(Job.key_for(live)) > 0  # RQ keeps a finished job's result for a while
    act(slack_runtime, invoice_id, Action.APPROVE, BUYER)
    assert waiting(slack_runtime, SLACK_QUEUE) == [live]
    assert slack_runtime.redis.ttl(Job.key_for(live)) == -1


def test_a_new_card_and_a_sync_go_before_the_cards_a_vendor_change_revised(both_runtime, slack_sandbox):
    sent = approved_invoice(both_runtime, vendor=ROSA, invoice={"number": "RF-1", "attachment_url": None})
    opened = [upload(both_runtime, invoice={"number": f"FE-{n}", "attachment_url": None}) for n in range(OPEN)]
    run_jobs(both_runtime)

    upload(both_runtime, vendor={"qb_accounting_name": NEW_PAYEE}, invoice={"number": "FE-NEW"})
    upload(both_runtime, vendor=ROSA, invoice={"number": "RF-2"})
    assert act(both_runtime, sent, Action.SEND, AP).changed
    assert len(waiting(both_runtime, BULK_QUEUE)) == OPEN
    assert len(waiting(both_runtime, SLACK_QUEUE)) == 3  # FE-NEW's and RF-2's new cards, RF-1's "Sent" line

    InProcessWorker(queues(both_runtime.redis), connection=both_runtime.redis).work(burst=True)
    messages = slack_sandbox.messages(PROCUREMENT)
    revised = [m for m in messages if REVISED in " ".join(lines_of(slack_sandbox, PROCUREMENT, m))]
    assert len(revised) == OPEN
    first_revised = min(float(m["ts"]) for m in revised)
    (new_card,) = [m for m in messages if "RF-2" in m["text"]]
    (accounting,) = [m for m in slack_sandbox.messages(ACCOUNTING) if "RF-1" in m["text"]]
    (synchronized,) = [
        r for r in slack_sandbox.thread(ACCOUNTING, accounting["ts"]) if "Synchronized as Bill" in r["text"]
    ]
    assert float(new_card["ts"]) < first_revised
    assert float(synchronized["ts"]) < first_revised
    for message in revised:
        assert len([line for line in lines_of(slack_sandbox, PROCUREMENT, message) if REVISED in line]) == 1
    assert len(opened) == OPEN and waiting(both_runtime, BULK_QUEUE) == []
