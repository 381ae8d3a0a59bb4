"""Komet hears once of each Synchronized invoice, through real HTTP to the local Komet beside the local ERP."""

import json

import pytest
from sqlalchemy import select

from jobs import tasks
from jobs.sweep import requeue_komet_marks
from models import AuditEntry
from services.erp.komet import due_marks
from tests.backends import with_settings
from tests.builders import sent_invoice, stored, upload, work
from tests.sandboxes import ACCOUNTING, PROCUREMENT

LONG_NUMBER = "FE-2093100001"


@pytest.fixture
def slack_qbo(qbo_runtime, slack_sandbox):
    """Cards to the Slack sandbox, Bills to the QuickBooks sandbox; no Komet."""
    return with_settings(qbo_runtime, slack_api_url=slack_sandbox.api_url)


@pytest.fixture
def komet_runtime(slack_qbo, erp):
    """The same, telling the local Komet with its company token; given to this process's jobs."""
    pointed = erp.point_komet(slack_qbo)
    tasks.configure(pointed)
    yield pointed
    tasks.configure(slack_qbo)


def mark_all(runtime, rounds: int = 20) -> None:
    """Run the Komet job of every mark due, as the ERP queue's (delayed) jobs would, until none is due."""
    for _ in range(rounds):
        due = due_marks(runtime)
        if not due:
            return
        for invoice_id in due:
            tasks.mark_in_komet(invoice_id)
    raise AssertionError(f"Komet marks still due after {rounds} rounds")


def synchronized(runtime, **invoice) -> int:
    invoice_id = sent_invoice(runtime, invoice=invoice) if invoice else sent_invoice(runtime)
    work(runtime)
    assert stored(runtime, invoice_id).status == "S"
    return invoice_id


def thread_texts(slack_sandbox, channel: str = ACCOUNTING) -> list[str]:
    [card] = slack_sandbox.messages(channel)
    return [reply["text"] for reply in slack_sandbox.thread(channel, card["ts"])]


def said(texts: list[str], words: str) -> list[str]:
    return [text for text in texts if words in text]


def test_two_503s_then_ok_mark_the_invoice_with_one_successful_call_and_none_after(
    komet_runtime, erp, slack_sandbox, no_waiting
):
    erp.control("POST", "/komet/answers", http=503, count=2, retry_after=0)
    invoice_id = synchronized(komet_runtime)
    mark_all(komet_runtime)
    calls = erp.komet_calls()
    assert [call["http"] for call in calls] == [503, 503, 200]
    assert [json.loads(call["answer"])["status"] for call in calls[2:]] == ["1"]
    assert all(call["token_in_header"] and call["token_in_body"] for call in calls)
    assert {(c["content_type"], c["body"]["poNumber"], c["body"]["invoiceNumber"]) for c in calls} == {
        ("application/json", "100482", "FE-20931")
    }
    invoice = stored(komet_runtime, invoice_id)
    assert invoice.komet_marked_at is not None and invoice.komet_attempts == 3
    # Later sweeps, a stale job and the queues run again: not one more call.
    assert requeue_komet_marks(komet_runtime) == 0
    tasks.mark_in_komet(invoice_id)
    work(komet_runtime)
    assert len(erp.komet_calls()) == 3
    assert len(said(thread_texts(slack_sandbox), "Marked Synchronized in Komet")) == 1


def test_a_status_0_answer_is_told_once_in_the_thread_with_komets_message_and_the_invoice_stays_synchronized(
    komet_runtime, erp, slack_sandbox
):
    wrong = erp.point_komet(komet_runtime, "not-the-company-token")
    tasks.configure(wrong)
    invoice_id = synchronized(wrong)
    assert requeue_komet_marks(wrong) == 0
    tasks.mark_in_komet(invoice_id)
    work(wrong)
    assert [json.loads(call["answer"]) for call in erp.komet_calls()] == [
        {"status": "0", "message": "Invalid authenticationToken."}
    ]
    for channel in (PROCUREMENT, ACCOUNTING):
        [line] = said(thread_texts(slack_sandbox, channel), "Komet refused")
        assert "Invalid authenticationToken." in line and "stays Synchronized" in line
    assert stored(wrong, invoice_id).status == "S"
    with wrong.sessions() as session:
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "komet_refused")).all() == [
            "komet_refused"
        ]


@pytest.mark.parametrize("kind, status", [("string", "1"), ("number", 1)])
def test_komets_status_is_read_as_a_string_as_in_its_example_or_a_number_as_in_its_type(
    komet_runtime, erp, kind, status
):
    erp.control("POST", "/komet/status-type", type=kind)
    invoice_id = synchronized(komet_runtime)
    [call] = erp.komet_calls()
    assert json.loads(call["answer"])["status"] == status
    assert stored(komet_runtime, invoice_id).komet_marked_at is not None


def test_numbers_over_ten_characters_are_on_the_card_from_the_upload_and_never_sent_to_komet(
    komet_runtime, erp, slack_sandbox
):
    upload(komet_runtime, invoice={"number": LONG_NUMBER})
    work(komet_runtime)
    [card] = slack_sandbox.messages(PROCUREMENT)
    assert "Komet cannot be told" in json.dumps(card["blocks"]) and "13 characters" in json.dumps(card["blocks"])
    assert "Cannot be sent" not in json.dumps(card["blocks"])
    synchronized(komet_runtime, number=LONG_NUMBER)
    assert requeue_komet_marks(komet_runtime) == 0
    work(komet_runtime)
    assert erp.komet_calls() == []
    [line] = said(thread_texts(slack_sandbox), "Not marked Synchronized in Komet")
    assert f"invoice number {LONG_NUMBER} has 13 characters" in line


def test_without_a_komet_token_no_call_is_made_and_no_card_mentions_komet(slack_qbo, erp, slack_sandbox):
    tasks.configure(slack_qbo)
    invoice_id = synchronized(slack_qbo, number=LONG_NUMBER)
    assert requeue_komet_marks(slack_qbo) == 0
    tasks.mark_in_komet(invoice_id)
    work(slack_qbo)
    assert erp.komet_calls() == []
    assert stored(slack_qbo, invoice_id).komet_next_attempt_at is None
    assert "Komet" not in json.dumps([slack_sandbox.messages(c) for c in (PROCUREMENT, ACCOUNTING)])


def test_a_redis_flush_loses_no_mark_the_sweep_publishes_it_again(komet_runtime, erp, no_waiting):
    erp.control("POST", "/komet/answers", http=503)
    invoice_id = synchronized(komet_runtime)
    komet_runtime.redis.flushdb()
    assert requeue_komet_marks(komet_runtime) == 1
    work(komet_runtime)
    assert [call["http"] for call in erp.komet_calls()] == [503, 200]
    assert stored(komet_runtime, invoice_id).komet_marked_at is not None
