"""Approval reminders in the cards' threads: due, not due, at most three, stopped by a move, never doubled."""

import threading
from datetime import timedelta

from sqlalchemy import select

from invoices.audit import AuditKind
from jobs.sweep import sweep_once
from models import AuditEntry, Invoice
from services.changes import reminders
from services.reconcile.unannounced import sweep_unannounced
from tests.backends import with_settings
from tests.builders import card, post, run_jobs, uploaded
from tests.integration.helpers import later
from tests.sandboxes import ACCOUNTING, PROCUREMENT

DAY = 86400


def reminders_in(sandbox, channel: str) -> list[str]:
    """The reminder lines in the thread of the channel's one card."""
    return [m["text"] for m in sandbox.thread(channel, card(sandbox, channel)["ts"]) if "Reminder" in m["text"]]


def swept(runtime) -> None:
    """One periodic sweep, then the card jobs it queued."""
    sweep_once(runtime)
    run_jobs(runtime)


def test_an_invoice_waiting_a_day_for_procurement_is_reminded_in_its_thread_mentioning_who_may_act(
    web, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    later(slack_runtime, invoice_id, DAY + 3600)
    swept(slack_runtime)
    [line] = reminders_in(slack_sandbox, PROCUREMENT)
    assert line.startswith(":alarm_clock: Reminder: this invoice has waited 1 day 1 hour for Procurement approval.")
    assert "<@U0BUYER1>, <@U0BUYER2>: it waits for one of you. (reminder 1 of 3)" in line
    with slack_runtime.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == AuditKind.APPROVAL_REMINDER)).one()
        assert (entry.actor, entry.outcome, entry.from_status) == ("invoice-sync", "allowed", "AP")
        assert entry.detail.startswith("reminder 1 of 3 after 9") and entry.detail.endswith("U0BUYER1, U0BUYER2")


def test_nothing_is_reminded_before_the_interval_nor_again_before_the_next_one(web, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    later(slack_runtime, invoice_id, DAY - 60)
    swept(slack_runtime)
    assert reminders_in(slack_sandbox, PROCUREMENT) == []
    later(slack_runtime, invoice_id, 60)
    swept(slack_runtime)
    later(slack_runtime, invoice_id, DAY - 60)
    swept(slack_runtime)
    assert len(reminders_in(slack_sandbox, PROCUREMENT)) == 1


def test_at_most_three_reminders_one_interval_apart_then_never_again(web, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    for _ in range(5):
        later(slack_runtime, invoice_id, DAY)
        swept(slack_runtime)
    lines = reminders_in(slack_sandbox, PROCUREMENT)
    assert [line.rsplit("(", 1)[1] for line in lines] == ["reminder 1 of 3)", "reminder 2 of 3)", "reminder 3 of 3)"]
    assert "waited 3 days for Procurement" in lines[2]
    with slack_runtime.sessions() as session:
        assert session.get(Invoice, invoice_id).reminders_sent == 3


def test_a_move_stops_the_stages_reminders_and_accounting_is_reminded_without_who_approved(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    later(slack_runtime, invoice_id, DAY)
    swept(slack_runtime)
    # U0BUYER2 is on both lists: having approved for Procurement, they may not approve for Accounting.
    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Approve", user="U0BUYER2"))
    run_jobs(slack_runtime)
    later(slack_runtime, invoice_id, DAY - 60)
    swept(slack_runtime)
    assert len(reminders_in(slack_sandbox, PROCUREMENT)) == 1
    assert reminders_in(slack_sandbox, ACCOUNTING) == []
    later(slack_runtime, invoice_id, 60)
    swept(slack_runtime)
    for channel in (PROCUREMENT, ACCOUNTING):
        line = reminders_in(slack_sandbox, channel)[-1]
        assert "waited 1 day for Accounting approval. <!subteam^S0ACCOUNTING>: it waits" in line
        assert "(reminder 1 of 3)" in line and "U0BUYER2" not in line


def test_an_invoice_no_longer_waiting_is_not_reminded(web, slack, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    later(slack_runtime, invoice_id, 2 * DAY)
    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Approve", user="U0BUYER1"))
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Approve", user="U0ACCT1"))
    later(slack_runtime, invoice_id, 2 * DAY)
    swept(slack_runtime)
    assert reminders_in(slack_sandbox, PROCUREMENT) == []


def test_zero_turns_reminders_off(web, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    later(slack_runtime, invoice_id, 10 * DAY)
    swept(with_settings(slack_runtime, approval_reminder_after=0))
    assert reminders_in(slack_sandbox, PROCUREMENT) == []


def test_sweeps_at_once_post_one_reminder(web, slack_sandbox, slack_runtime, monkeypatch):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    later(slack_runtime, invoice_id, DAY)
    # Every sweep has read the invoice as due before any claims it: the claim alone must keep it to one.
    together = threading.Barrier(4, timeout=10)
    due = reminders.reminder_due

    def all_read_then_due(*args):
        together.wait()
        return due(*args)

    monkeypatch.setattr(reminders, "reminder_due", all_read_then_due)
    posted = []
    sweeps = [threading.Thread(target=lambda: posted.append(reminders.remind_waiting(slack_runtime))) for _ in range(4)]
    for sweep in sweeps:
        sweep.start()
    for sweep in sweeps:
        sweep.join(timeout=30)
    assert sorted(posted) == [0, 0, 0, 1]
    run_jobs(slack_runtime)
    assert len(reminders_in(slack_sandbox, PROCUREMENT)) == 1


def test_a_redis_flush_or_a_restart_neither_skips_nor_doubles_a_reminder(web, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    later(slack_runtime, invoice_id, DAY)
    sweep_once(slack_runtime)
    # The reminder's card job is lost with Redis; a fresh process sweeps again (its runtime built anew).
    slack_runtime.redis.flushdb()
    restarted = with_settings(slack_runtime)
    sweep_once(restarted)
    run_jobs(restarted)
    assert reminders_in(slack_sandbox, PROCUREMENT) == []
    assert sweep_unannounced(restarted, settle=timedelta(0)) == 1
    run_jobs(restarted)
    assert sweep_unannounced(restarted, settle=timedelta(0)) == 0
    assert len(reminders_in(slack_sandbox, PROCUREMENT)) == 1
