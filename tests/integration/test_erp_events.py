"""The ERP hears of every status change: signed, in order, retried, paused on 410, replayed, and never lost."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from jobs import tasks
from jobs.sweep import requeue_erp_events
from models import ErpEvent
from services.erp.delivery import deliver_events, due_invoices, replay_dead
from services.erp.endpoint import resume_delivery
from tests.backends import with_settings
from tests.builders import approved_invoice, sent_invoice, stored, upload, work
from tests.integration.helpers import environment, wait
from webhooks.app import create_app

ROOT = Path(__file__).resolve().parents[2]
HAPPY_PATH = [(None, "AP"), ("AP", "AA"), ("AA", "A"), ("A", "ES"), ("ES", "S")]


@pytest.fixture
def erp_runtime(qbo_runtime, slack_sandbox, erp):
    """Pushing to the local ERP, cards to the Slack sandbox, Bills to the QuickBooks sandbox; no wait between tries."""
    pointed = erp.point(with_settings(qbo_runtime, slack_api_url=slack_sandbox.api_url))
    tasks.configure(pointed)
    yield pointed
    tasks.configure(qbo_runtime)


def push_all(runtime, rounds: int = 50) -> None:
    """Push every due event as the ERP queue's jobs would, until none is due."""
    for _ in range(rounds):
        due = due_invoices(runtime)
        if not due:
            return
        for invoice_id in due:
            deliver_events(runtime, invoice_id)
    raise AssertionError(f"events still due after {rounds} rounds")


def told(erp) -> list[tuple]:
    """(previous status, status) of every event the ERP accepted, in order."""
    return [(e["body"]["data"]["previous_status"], e["body"]["data"]["status"]) for e in erp.events()]


def test_every_status_of_the_happy_path_reaches_the_erp_in_order_with_valid_signatures(erp_runtime, erp):
    invoice_id = sent_invoice(erp_runtime)
    work(erp_runtime)
    assert stored(erp_runtime, invoice_id).status == "S"
    assert told(erp) == HAPPY_PATH
    assert [e["body"]["data"]["sequence"] for e in erp.events()] == [1, 2, 3, 4, 5]
    [copy] = erp.invoices()
    assert (copy["id"], copy["status"], copy["status_name"]) == (invoice_id, "S", "Synchronized")
    assert copy["bill"]["number"] == "100482-FE-20931" and copy["balance"] == "1093.50"
    assert all(e["webhook_id"].startswith("evt_") for e in erp.events())


def test_a_signature_made_with_another_secret_is_refused_by_the_erp_and_the_event_dies_visibly(erp_runtime, erp):
    wrong = with_settings(erp_runtime, erp_events_secret=SecretStr("whsec_" + "b3RoZXItc2VjcmV0LW5vdC10aGUtZXJwcw=="))
    upload(wrong)
    push_all(wrong)
    assert erp.events() == []
    assert due_invoices(wrong) == []


def test_an_erp_answering_503_once_per_event_still_gets_every_event_under_its_first_webhook_id(
    erp_runtime, erp, no_waiting
):
    erp.control("POST", "/first-answer", status=503)
    invoice_id = approved_invoice(erp_runtime)
    push_all(erp_runtime)
    assert told(erp) == HAPPY_PATH[:3]
    events = erp.events()
    assert len({e["webhook_id"] for e in events}) == 3
    with erp_runtime.sessions() as session:
        stored = session.execute(select(ErpEvent.id, ErpEvent.attempts).where(ErpEvent.invoice_id == invoice_id))
        assert sorted((f"evt_{i}", a) for i, a in stored) == sorted((e["webhook_id"], 2) for e in events)


def test_410_stops_delivery_and_tells_the_accounting_channel_once_until_resumed(erp_runtime, erp, slack_sandbox):
    erp.control("POST", "/answers", status=410, count=1)
    first = upload(erp_runtime)
    second = upload(erp_runtime, invoice={"number": "FE-20932"})
    push_all(erp_runtime)
    assert requeue_erp_events(erp_runtime) == 0
    assert erp.events() == []
    alerts = [m for m in slack_sandbox.messages("C0ACCOUNT") if "410 Gone" in m["text"]]
    assert len(alerts) == 1 and "stopped pushing" in alerts[0]["text"]
    assert resume_delivery(erp_runtime)
    push_all(erp_runtime)
    assert sorted(e["body"]["data"]["id"] for e in erp.events()) == [first, second]
    assert len([m for m in slack_sandbox.messages("C0ACCOUNT") if "410 Gone" in m["text"]]) == 1


def test_a_dead_event_is_delivered_after_a_replay(erp_runtime, erp):
    erp.control("POST", "/answers", status=400, count=1)
    invoice_id = upload(erp_runtime)
    push_all(erp_runtime)
    assert erp.events() == []
    assert replay_dead(erp_runtime, [invoice_id]) == 1
    push_all(erp_runtime)
    assert told(erp) == HAPPY_PATH[:1]


def test_a_redis_flush_loses_no_event_the_sweep_publishes_them_again(erp_runtime, erp):
    invoice_id = approved_invoice(erp_runtime)
    erp_runtime.redis.flushdb()
    assert requeue_erp_events(erp_runtime) == 1
    work(erp_runtime)
    assert told(erp) == HAPPY_PATH[:3]
    assert {e["body"]["data"]["id"] for e in erp.events()} == {invoice_id}


def ask(web, slack, text: str, user: str) -> str:
    headers, body = slack.slash_command(text, user=user, channel="C0ACCOUNT")
    answer = web.post("/slack/events", data=body, headers=headers)
    assert answer.status_code == 200
    return answer.get_json()["text"]


def test_a_dead_event_shows_in_invoice_status_and_the_replay_command_delivers_it(erp_runtime, erp, slack):
    web = create_app(erp_runtime).test_client()
    erp.control("POST", "/answers", status=422, count=1)
    approved_invoice(erp_runtime)
    push_all(erp_runtime)
    status = ask(web, slack, "/invoice status FE-20931", user="U0BUYER1")
    assert "ERP: told *Approved* (2 events delivered); 1 not delivered, last answer: 422" in status
    assert "`/invoice replay-events`" in status
    refused = ask(web, slack, "/invoice replay-events FE-20931", user="U0BUYER1")
    assert refused == "Only A/P senders may send ERP events again."
    assert ask(web, slack, "/invoice replay-events FE-20931", user="U0AP1") == (
        "1 undelivered ERP event of `FE-20931` will be sent again."
    )
    push_all(erp_runtime)
    assert sorted(e["body"]["data"]["sequence"] for e in erp.events()) == [1, 2, 3]
    assert "ERP: told *Approved* (3 events delivered)" in ask(web, slack, "/invoice status FE-20931", user="U0AP1")


def test_a_worker_killed_mid_delivery_and_a_redis_flush_lose_no_event(erp_runtime, erp):
    ids = [approved_invoice(erp_runtime, invoice={"number": f"FE-{40000 + n}"}) for n in range(3)]
    erp.control("POST", "/answers", hang=3, count=1)
    # The worker posts its cards to the Slack sandbox too: card jobs run first, and must not hold it in retries.
    env = {**environment(erp_runtime.settings), "SLACK_API_URL": erp_runtime.settings.slack_api_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait(lambda: erp.control("GET", "/events")["arrivals"] >= 2, "the worker in the middle of its deliveries")
    finally:
        # The worker and every process it started (RQ's scheduler), as `kill -9` on a host would.
        family = psutil.Process(worker.pid).children(recursive=True)
        os.killpg(worker.pid, signal.SIGKILL)
        for process in family:
            try:
                process.kill()
            except psutil.NoSuchProcess:  # a child that ended since it was listed
                pass
        worker.wait(timeout=10)
    erp_runtime.redis.flushdb()
    requeued = requeue_erp_events(erp_runtime)
    assert requeued in range(1, len(ids) + 1), "the invoices with an event not yet delivered"
    work(erp_runtime)
    received = [(e["body"]["data"]["id"], e["body"]["data"]["sequence"]) for e in erp.events()]
    assert sorted(set(received)) == sorted((i, n) for i in ids for n in (1, 2, 3)), "no event lost"
    assert len(received) - len(set(received)) <= 1, "only the event the dead worker was sending may come twice"
    assert {copy["id"]: copy["status"] for copy in erp.invoices()} == dict.fromkeys(ids, "A")
    assert due_invoices(erp_runtime) == []
