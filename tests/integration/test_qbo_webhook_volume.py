"""A large QuickBooks delivery starves nothing: one read per entity, Slack first, reconcile within its budget share."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from limits import RateLimitItemPerMinute
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from jobs import sweep, tasks
from jobs.registry import QUEUE_NAMES, path_of, queue_of, queues
from jobs.worker import InProcessWorker
from models import WebhookDelivery
from qbo import limiter
from services.reconcile import sweeps
from tests.builders import card, post_upload, sent_invoice, settle, stored
from tests.sandboxes import PROCUREMENT, VERIFIER
from webhooks.app import create_app


def cloudevents(realm: str, bills: list[str], per_bill: int) -> bytes:
    """A CloudEvents delivery with `per_bill` updates of each Bill, interleaved as Intuit batches them."""
    return json.dumps(
        [
            {
                "specversion": "1.0",
                "id": f"ev-{bill}-{n}",
                "type": "qbo.bill.updated.v1",
                "intuitaccountid": realm,
                "intuitentityid": bill,
                "time": "2026-11-20T18:11:12Z",
            }
            for n in range(per_bill)
            for bill in bills
        ]
    ).encode()


def deliver(client, body: bytes):
    """POST a delivery signed with the verifier token as Intuit signs it."""
    signature = base64.b64encode(hmac.new(VERIFIER.encode(), body, hashlib.sha256).digest()).decode()
    return client.post(
        "/webhooks/quickbooks",
        data=body,
        headers={"intuit-signature": signature, "content-type": "application/cloudevents+json"},
    )


def reads(sandbox) -> int:
    """The accounting API requests the company received so far."""
    return sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["requests"]


def reconcile_all(runtime) -> None:
    """Run the queued reconcile jobs through a real RQ worker (retries it schedules are left scheduled)."""
    InProcessWorker([queue_of(runtime.redis, tasks.reconcile_delivery)], connection=runtime.redis).work(burst=True)


def unprocessed(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count(WebhookDelivery.id)).where(WebhookDelivery.processed_at.is_(None)))


@pytest.fixture
def qbo_client(qbo_runtime):
    """A test client of the app on the sandbox-pointed runtime, its company connected."""
    qbo_runtime.quickbooks()
    return create_app(qbo_runtime).test_client()


def reconciles_queued(runtime) -> int:
    """Reconcile jobs waiting on their queue (which other reconcile-class work, like attachments, shares)."""
    queued = queue_of(runtime.redis, tasks.reconcile_delivery).get_jobs()
    return sum(job.func_name == path_of(tasks.reconcile_delivery) for job in queued)


@pytest.fixture
def both_runtime(slack_runtime, sandbox):
    """The test runtime pointed at both sandboxes, its company connected, given to this process's jobs."""
    pointed = sandbox.point(slack_runtime)
    pointed.quickbooks()
    tasks.configure(pointed)
    yield pointed
    tasks.configure(slack_runtime)


def test_many_events_about_few_bills_queue_one_reconcile_per_bill_and_cost_one_read_each(
    qbo_runtime, qbo_client, sandbox
):
    # Without a file, no attachment job shares the reconcile queue and reads QuickBooks during the count.
    invoice_id = sent_invoice(qbo_runtime, invoice={"attachment_url": None})
    assert settle(qbo_runtime, invoice_id) == "S"
    ours = stored(qbo_runtime, invoice_id).bill_id
    before = reads(sandbox)
    answer = deliver(qbo_client, cloudevents(sandbox.realm, [ours, "9001", "9002"], per_bill=200))
    assert (answer.status_code, answer.get_json()) == (200, {"events": 600, "new": 600})
    assert reconciles_queued(qbo_runtime) == 3
    reconcile_all(qbo_runtime)
    assert reads(sandbox) - before == 3
    assert unprocessed(qbo_runtime) == 0
    assert stored(qbo_runtime, invoice_id).bill_confirmed_at is not None


def test_a_repeated_delivery_records_nothing_new_and_queues_no_reconcile(qbo_runtime, qbo_client, sandbox):
    body = cloudevents(sandbox.realm, ["9001"], per_bill=50)
    assert deliver(qbo_client, body).get_json()["new"] == 50
    reconcile_all(qbo_runtime)
    assert deliver(qbo_client, body).get_json() == {"events": 50, "new": 0}
    assert reconciles_queued(qbo_runtime) == 0


def test_two_event_ids_sharing_their_first_200_characters_are_two_events(qbo_runtime, qbo_client, sandbox):
    prefix = "e" * 200
    body = json.dumps(
        [
            {
                "specversion": "1.0",
                "id": prefix + tail,
                "type": "qbo.bill.deleted.v1",
                "intuitaccountid": sandbox.realm,
                "intuitentityid": bill,
            }
            for tail, bill in (("-a", "9001"), ("-b", "9002"))
        ]
    ).encode()
    assert deliver(qbo_client, body).get_json() == {"events": 2, "new": 2}
    with qbo_runtime.sessions() as session:
        assert sorted(e["key"] for e in session.scalars(select(WebhookDelivery.payload))) == [
            prefix + "-a",
            prefix + "-b",
        ]
    assert deliver(qbo_client, body).get_json()["new"] == 0


def test_a_card_refresh_queued_after_a_large_delivery_runs_before_its_reconciles(both_runtime, sandbox, slack_sandbox):
    client = create_app(both_runtime).test_client()
    bills = [str(9000 + n) for n in range(300)]
    assert deliver(client, cloudevents(sandbox.realm, bills, per_bill=2)).get_json()["new"] == 600
    assert post_upload(client).status_code == 202
    assert [q.name for q in queues(both_runtime.redis)] == list(QUEUE_NAMES)
    InProcessWorker(queues(both_runtime.redis), connection=both_runtime.redis).work(burst=True, max_jobs=1)
    assert card(slack_sandbox, PROCUREMENT)["text"]
    assert reconciles_queued(both_runtime) == 300
    assert reads(sandbox) == 0


def test_reconcile_stops_at_its_share_of_the_budget_while_a_sync_still_gets_through(
    qbo_runtime, qbo_client, sandbox, monkeypatch
):
    monkeypatch.setattr(limiter, "PER_MINUTE", RateLimitItemPerMinute(12, namespace="qbo-share-test"))
    monkeypatch.setattr(limiter, "RECONCILE_PER_MINUTE", RateLimitItemPerMinute(3, namespace="qbo-share-test-r"))
    invoice_id = sent_invoice(qbo_runtime)
    bills = [str(9000 + n) for n in range(10)]
    assert deliver(qbo_client, cloudevents(sandbox.realm, bills, per_bill=1)).get_json()["new"] == 10
    reconcile_all(qbo_runtime)
    assert reads(sandbox) == 3
    assert unprocessed(qbo_runtime) == 7
    reconciles = queue_of(qbo_runtime.redis, tasks.reconcile_delivery)
    assert (ScheduledJobRegistry(queue=reconciles).count, reconciles.failed_job_registry.count) == (0, 0)
    assert settle(qbo_runtime, invoice_id, attempts=1) == "S"
    assert reads(sandbox) <= 12


def test_the_sweep_publishes_waiting_entities_no_faster_than_the_share_reads_them(
    qbo_runtime, qbo_client, sandbox, monkeypatch
):
    monkeypatch.setattr(limiter, "RECONCILE_PER_MINUTE", RateLimitItemPerMinute(0, namespace="qbo-share-spent"))
    bills = [str(9000 + n) for n in range(8)]
    assert deliver(qbo_client, cloudevents(sandbox.realm, bills, per_bill=3)).get_json()["new"] == 24
    reconcile_all(qbo_runtime)
    assert (reads(sandbox), unprocessed(qbo_runtime)) == (0, 24)
    monkeypatch.setattr(sweeps, "EVENT_GRACE", timedelta(0))
    monkeypatch.setattr(sweep, "EVENTS_PER_SWEEP", 5)
    assert sweep.requeue_unprocessed_events(qbo_runtime) == 5
    assert sweep.requeue_unprocessed_events(qbo_runtime) == 3
    assert reconciles_queued(qbo_runtime) == 8
    monkeypatch.undo()
    reconcile_all(qbo_runtime)
    assert (reads(sandbox), unprocessed(qbo_runtime)) == (8, 0)
