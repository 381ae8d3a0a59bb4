"""The invoice's file on its Bill (issue 16 item 1), through the real python-quickbooks, the local QuickBooks and ERP.

The PDF arrives byte for byte, once, whatever retries, concurrent jobs or a worker killed between the upload and the
database write; a file that is refused or cannot be fetched leaves the invoice Synchronized and is told once.
"""

import threading

import pytest
import requests
from sqlalchemy import func, select

from bot.mrkdwn import neutral
from jobs import tasks
from jobs.sweep import requeue_attachments
from models import AuditEntry
from qbo.gateway import Gateway
from sandbox.erp_host.files import example_pdf
from services.files import attachment
from services.files.attachment import MAX_TRIES, attach_file
from services.locks import Busy
from services.ports import FileUnavailable
from tests.backends import with_settings
from tests.builders import sent_invoice, stored, work
from tests.sandboxes import ACCOUNTING, PROCUREMENT, ErpHost


class Killed(BaseException):
    """The worker dies here: nothing after this line of the job runs (not an Exception, so nothing catches it)."""


@pytest.fixture
def erp():
    running = ErpHost()
    yield running
    running.stop()


@pytest.fixture
def files_runtime(qbo_runtime, slack_sandbox, erp):
    """Bills in the local QuickBooks, cards in the Slack sandbox, files fetched from the local ERP only."""
    pointed = with_settings(
        qbo_runtime, slack_api_url=slack_sandbox.api_url, attachment_allowed_urls=(f"{erp.base}/files/",)
    )
    tasks.configure(pointed)
    yield pointed
    tasks.configure(qbo_runtime)


def synchronized(runtime, url: str) -> int:
    """An invoice naming `url` as its document, sent, its cards posted and its Bill made, its file not yet tried."""
    invoice_id = sent_invoice(runtime, invoice={"attachment_url": url})
    runtime.redis.flushdb()
    tasks.sync_invoice(invoice_id)
    assert stored(runtime, invoice_id).status == "S"
    return invoice_id


def attachables(sandbox) -> list[dict]:
    return sandbox.control("GET", f"/realms/{sandbox.realm}/attachables")["attachables"]


def file_bytes(sandbox, attachable_id: str) -> bytes:
    url = f"{sandbox.base}/_sandbox/realms/{sandbox.realm}/attachables/{attachable_id}/file"
    return requests.get(url, timeout=5).content


def thread_texts(slack_sandbox, channel: str = ACCOUNTING) -> list[str]:
    [card] = slack_sandbox.messages(channel)
    return [reply["text"] for reply in slack_sandbox.thread(channel, card["ts"])]


def said(slack_sandbox, words: str, channel: str = ACCOUNTING) -> list[str]:
    return [text for text in thread_texts(slack_sandbox, channel) if words in text]


def told(runtime, invoice_id: int, kind: str) -> int:
    with runtime.sessions() as session:
        return session.scalar(
            select(func.count()).where(AuditEntry.invoice_id == invoice_id, AuditEntry.action == kind)
        )


def test_the_invoices_pdf_goes_on_its_bill_byte_for_byte_once_the_sync_made_it(
    files_runtime, sandbox, erp, slack_sandbox
):
    invoice_id = sent_invoice(files_runtime, invoice={"attachment_url": f"{erp.base}/files/FE-20931.pdf"})
    work(files_runtime)  # the cards, the sync, then the attachment the sync made due, then the thread's line
    [bill] = sandbox.bills()
    [attached] = attachables(sandbox)
    assert attached["AttachableRef"] == [{"EntityRef": {"type": "Bill", "value": bill["Id"]}, "IncludeOnSend": False}]
    assert (attached["FileName"], attached["ContentType"]) == ("FE-20931.pdf", "application/pdf")
    served = requests.get(f"{erp.base}/files/FE-20931.pdf", timeout=5).content
    assert file_bytes(sandbox, attached["Id"]) == served == example_pdf("FE-20931")
    invoice = stored(files_runtime, invoice_id)
    assert (invoice.status, invoice.attachment_bill_id, invoice.attachable_id) == ("S", bill["Id"], attached["Id"])
    for channel in (PROCUREMENT, ACCOUNTING):
        assert said(slack_sandbox, "FE-20931.pdf attached to Bill 100482-FE-20931 in QuickBooks", channel)


def test_a_retried_or_republished_job_attaches_nothing_more(files_runtime, sandbox, erp, slack_sandbox):
    invoice_id = synchronized(files_runtime, f"{erp.base}/files/FE-20931.pdf")
    assert attach_file(files_runtime, invoice_id) == "attached"
    assert attach_file(files_runtime, invoice_id) == "skipped"
    assert requeue_attachments(files_runtime) == 0
    tasks.attach_file(invoice_id)
    work(files_runtime)
    assert len(attachables(sandbox)) == 1
    assert told(files_runtime, invoice_id, "attachment_added") == 1


def test_two_jobs_at_once_attach_one_file(files_runtime, sandbox, erp):
    invoice_id = synchronized(files_runtime, f"{erp.base}/files/FE-20931.pdf")
    start, outcomes = threading.Barrier(2), []

    def job():
        start.wait()
        try:
            outcomes.append(attach_file(files_runtime, invoice_id))
        except Busy:
            outcomes.append("busy")

    workers = [threading.Thread(target=job) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert sorted(outcomes) in (["attached", "busy"], ["attached", "skipped"])
    # The one that was busy is retried by RQ: it finds the file there.
    assert attach_file(files_runtime, invoice_id) == "skipped"
    [attached] = attachables(sandbox)
    assert stored(files_runtime, invoice_id).attachable_id == attached["Id"]


def test_a_worker_killed_between_the_upload_and_the_database_write_leaves_one_file_found_by_the_rerun(
    files_runtime, sandbox, erp, slack_sandbox, monkeypatch
):
    invoice_id = synchronized(files_runtime, f"{erp.base}/files/FE-20931.pdf")
    uploads = []
    original = Gateway.attach

    def upload_then_die(self, bill_id, file):
        uploads.append(original(self, bill_id, file))
        raise Killed

    monkeypatch.setattr(Gateway, "attach", upload_then_die)
    with pytest.raises(Killed):
        attach_file(files_runtime, invoice_id)
    assert len(attachables(sandbox)) == 1 and stored(files_runtime, invoice_id).attachable_id is None
    monkeypatch.setattr(Gateway, "attach", original)
    # The killed job is lost (here with Redis); the sweep finds the file still due and publishes it again, and
    # the rerun looks before uploading.
    files_runtime.redis.flushdb()
    assert requeue_attachments(files_runtime) == 1
    work(files_runtime)
    [attached] = attachables(sandbox)
    assert attached["Id"] == uploads[0]["Id"] == stored(files_runtime, invoice_id).attachable_id
    assert len(said(slack_sandbox, "FE-20931.pdf attached to Bill")) == 1


@pytest.mark.parametrize(
    "url, reason",
    [
        ("https://files.example.com/FE-20931.pdf", "is not under any of the prefixes ATTACHMENT_ALLOWED_URLS allows"),
        ("{erp}/files/FE-20931.txt", "the file server answered 404 NOT FOUND"),
    ],
)
def test_a_refused_file_leaves_the_invoice_synchronized_and_is_told_once(
    files_runtime, sandbox, erp, slack_sandbox, url, reason
):
    invoice_id = synchronized(files_runtime, url.format(erp=erp.base))
    assert attach_file(files_runtime, invoice_id) == "refused"
    assert attach_file(files_runtime, invoice_id) == "skipped" and requeue_attachments(files_runtime) == 0
    work(files_runtime)
    invoice = stored(files_runtime, invoice_id)
    assert (invoice.status, invoice.attachable_id) == ("S", None) and reason in invoice.attachment_note
    [line] = said(slack_sandbox, "Attachment not added to Bill 100482-FE-20931")
    assert neutral(reason) in line and "stays Synchronized" in line  # shown as typed: no italics in ..._URLS
    assert attachables(sandbox) == []


def test_by_default_a_private_address_is_refused_with_its_reason(qbo_runtime, sandbox):
    tasks.configure(qbo_runtime)
    invoice_id = synchronized(qbo_runtime, "https://localhost/files/FE-20931.pdf")
    assert attach_file(qbo_runtime, invoice_id) == "refused"
    note = stored(qbo_runtime, invoice_id).attachment_note
    assert note.startswith("localhost resolves to ") and "a loopback address" in note


def test_quickbooks_refusing_the_file_is_told_with_its_words(files_runtime, sandbox, erp):
    invoice_id = synchronized(files_runtime, f"{erp.base}/files/FE-20931.pdf")
    # Deleted in QuickBooks before its webhook was applied: QuickBooks refuses a file for a Bill it no longer has.
    sandbox.control("DELETE", f"/realms/{sandbox.realm}/bills/{stored(files_runtime, invoice_id).bill_id}")
    assert attach_file(files_runtime, invoice_id) == "refused"
    note = stored(files_runtime, invoice_id).attachment_note
    assert note.startswith("QuickBooks refused the file FE-20931.pdf: Object Not Found")


def test_an_unreachable_file_is_tried_again_then_told_once_and_the_invoice_stays_synchronized(
    files_runtime, sandbox, slack_sandbox, monkeypatch
):
    closed = with_settings(files_runtime, attachment_allowed_urls=("http://127.0.0.1:9/files/",))
    tasks.configure(closed)
    invoice_id = synchronized(closed, "http://127.0.0.1:9/files/FE-20931.pdf")
    for attempt in range(1, MAX_TRIES):
        with pytest.raises(FileUnavailable, match="could not connect to 127.0.0.1:9"):
            attach_file(closed, invoice_id)
        assert stored(closed, invoice_id).attachment_tries == attempt
    # RQ's retries are spent: the sweep publishes the attachment again, and the last try gives up.
    closed.redis.flushdb()
    assert requeue_attachments(closed) == 1
    work(closed)
    assert requeue_attachments(closed) == 0 and attach_file(closed, invoice_id) == "skipped"
    invoice = stored(closed, invoice_id)
    assert invoice.status == "S" and f"(tried {MAX_TRIES} times)" in invoice.attachment_note
    [line] = said(slack_sandbox, "Attachment not added")
    assert "could not connect to 127.0.0.1:9" in line
    assert told(closed, invoice_id, "attachment_not_added") == 1


def test_a_redis_flush_loses_no_attachment_the_sweep_publishes_it_again(files_runtime, sandbox, erp):
    invoice_id = sent_invoice(files_runtime, invoice={"attachment_url": f"{erp.base}/files/FE-20931.pdf"})
    tasks.sync_invoice(invoice_id)
    files_runtime.redis.flushdb()
    assert requeue_attachments(files_runtime) == 1
    work(files_runtime)
    assert len(attachables(sandbox)) == 1 and stored(files_runtime, invoice_id).attachable_id is not None
    assert attachment.due_attachments(files_runtime) == []
