"""Slack delivery under pressure: simultaneous clicks, 429 answers and retried jobs post each thing once."""

import threading
import time
from datetime import timedelta

from invoices.events import InvoiceChanged
from invoices.statuses import Status
from models import AuditEntry, Invoice, SlackCard, SlackThreadPost
from services.read.cards import CardKind, refresh_cards
from services.reconcile.unannounced import sweep_unannounced
from tests.builders import approved_by_procurement, card, post, run_jobs, uploaded
from tests.sandboxes import ACCOUNTING, PROCUREMENT


def approved_twice(web, slack, sandbox, runtime) -> int:
    invoice_id = approved_by_procurement(web, slack, sandbox, runtime)
    post(web, slack.block_actions(card(sandbox, ACCOUNTING), "Approve", user="U0ACCT1"))
    run_jobs(runtime)
    return invoice_id


def test_four_simultaneous_approve_clicks_make_one_transition_and_one_accounting_card(
    slack_app, slack, slack_sandbox, slack_runtime
):
    web = slack_app.test_client()
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    clicks = [
        slack.block_actions(procurement, "Approve", user=user)
        for user in ("U0BUYER1", "U0BUYER2", "U0BUYER1", "U0BUYER2")
    ]
    start = threading.Barrier(len(clicks))
    codes = []

    def click(request):
        start.wait()
        codes.append(post(slack_app.test_client(), request))

    threads = [threading.Thread(target=click, args=(request,)) for request in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    run_jobs(slack_runtime)
    assert codes == [200] * 4
    with slack_runtime.sessions() as session:
        assert session.get(Invoice, invoice_id).status == Status.PENDING_ACCOUNTING
        assert session.query(AuditEntry).filter_by(action="approve", outcome="allowed").count() == 1
        assert session.query(AuditEntry).filter_by(action="approve", outcome="refused").count() == 3
    assert len(slack_sandbox.messages(ACCOUNTING)) == 1
    assert len(slack_sandbox.ephemerals()) == 3
    approvals = [m for m in slack_sandbox.thread(PROCUREMENT, procurement["ts"]) if "Approved" in m["text"]]
    assert len(approvals) == 1


def test_a_429_during_the_job_is_waited_out_and_the_thread_line_is_posted_once(
    web, slack, slack_sandbox, slack_runtime
):
    approved_twice(web, slack, slack_sandbox, slack_runtime)
    slack_sandbox.fail_next("chat.postMessage", status=429, retry_after=1)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Send to External System", user="U0AP1"))
    started = time.monotonic()
    run_jobs(slack_runtime)
    assert time.monotonic() - started >= 1
    assert [c["status"] for c in slack_sandbox.calls("chat.postMessage")][-3:] == [429, 200, 200]
    for channel in (PROCUREMENT, ACCOUNTING):
        lines = [m["text"] for m in slack_sandbox.thread(channel, card(slack_sandbox, channel)["ts"])]
        assert lines.count(":outbox_tray: Sent to QuickBooks by <@U0AP1>.") == 1


def test_a_job_that_gave_up_on_429s_posts_its_line_once_when_retried(web, slack, slack_sandbox, slack_runtime):
    approved_twice(web, slack, slack_sandbox, slack_runtime)
    slack_sandbox.fail_next("chat.postMessage", status=429, retry_after=0, count=4)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Send to External System", user="U0AP1"))
    run_jobs(slack_runtime)
    with slack_runtime.sessions() as session:
        send = session.query(AuditEntry).filter_by(action="send").one()
        # Claimed for both cards and not posted: the next refresh looks in the threads and tells them.
        assert [p.ts for p in session.query(SlackThreadPost).filter_by(audit_id=send.id)] == [None, None]
    for _ in range(2):
        refresh_cards(slack_runtime, send.invoice_id, send.id)
    for channel in (PROCUREMENT, ACCOUNTING):
        lines = [m["text"] for m in slack_sandbox.thread(channel, card(slack_sandbox, channel)["ts"])]
        assert lines.count(":outbox_tray: Sent to QuickBooks by <@U0AP1>.") == 1
    with slack_runtime.sessions() as session:
        posted = session.query(SlackThreadPost).filter_by(audit_id=send.id).all()
        assert sorted(p.card_kind for p in posted) == sorted(CardKind) and all(p.ts for p in posted)


def test_the_sweep_reannounces_changes_whose_job_was_lost(web, slack, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    slack_runtime.redis.flushdb()
    assert sweep_unannounced(slack_runtime, settle=timedelta(0)) == 1
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    assert len(slack_sandbox.thread(PROCUREMENT, procurement["ts"])) == 1
    assert sweep_unannounced(slack_runtime, settle=timedelta(0)) == 0
    with slack_runtime.sessions() as session:
        assert session.query(SlackCard).filter_by(invoice_id=invoice_id).count() == 1


def test_a_card_deleted_in_slack_is_posted_again_on_the_next_change(web, slack, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    with slack_runtime.sessions() as session:
        old_ts = session.query(SlackCard).filter_by(kind=CardKind.PROCUREMENT).one().ts
    slack_sandbox.fail_next("chat.update", error="message_not_found")
    slack_runtime.publisher.publish([InvoiceChanged(invoice_id)])
    run_jobs(slack_runtime)
    with slack_runtime.sessions() as session:
        assert session.query(SlackCard).filter_by(kind=CardKind.PROCUREMENT).one().ts != old_ts
    assert len(slack_sandbox.messages(PROCUREMENT)) == 2


def test_a_permanent_slack_error_is_logged_with_what_to_do_and_the_job_ends(web, slack_sandbox, slack_runtime, caplog):
    invoice_id = uploaded(web)
    slack_sandbox.fail_next("chat.postMessage", error="not_in_channel")
    refresh_cards(slack_runtime, invoice_id, None)
    assert "invite @invoice-sync to that channel" in caplog.text and "SLACK_PROCUREMENT_CHANNEL" in caplog.text
    assert "xoxb-test-token" not in caplog.text
