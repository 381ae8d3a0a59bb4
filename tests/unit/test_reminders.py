"""Approval reminders in the domain: when one is due, what its audit entry keeps, and its thread line."""

import pytest

from bot.mentions import mention
from bot.thread_lines import thread_line
from invoices.audit import AuditKind
from invoices.reminders import MAX_REMINDERS, ReminderNote, read_note, reminder_due, waited_words
from invoices.statuses import Status
from services.views import ThreadEntry

DAY = 86400


@pytest.mark.parametrize(
    ("waited", "since_last", "sent", "due"),
    [
        (DAY - 1, None, 0, False),
        (DAY, None, 0, True),
        (5 * DAY, None, 0, True),
        (2 * DAY, DAY - 1, 1, False),
        (2 * DAY, DAY, 1, True),
        (3 * DAY, DAY, 2, True),
        (9 * DAY, 5 * DAY, MAX_REMINDERS, False),
    ],
)
def test_a_reminder_is_due_one_interval_into_the_stage_then_one_after_each_at_most_three(waited, since_last, sent, due):
    assert reminder_due(waited, since_last, sent, DAY) is due


def test_an_interval_of_zero_turns_reminders_off():
    assert not reminder_due(10 * DAY, None, 0, 0)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "less than a minute"),
        (60, "1 minute"),
        (3599, "59 minutes"),
        (3660, "1 hour 1 minute"),
        (DAY, "1 day"),
        (DAY + 60, "1 day"),
        (DAY + 3600, "1 day 1 hour"),
        (3 * DAY + 7200, "3 days 2 hours"),
    ],
)
def test_waiting_is_told_in_its_two_largest_units(seconds, words):
    assert waited_words(seconds) == words


def test_the_audit_entry_keeps_the_reminder_readably_and_reads_back():
    note = ReminderNote(2, 90000, ("U0BUYER1", "S0PROC"))
    assert note.detail() == "reminder 2 of 3 after 90000 s waiting; may act: U0BUYER1, S0PROC"
    assert read_note(note.detail()) == note
    assert read_note("why") is None and read_note(None) is None


def test_users_and_groups_are_mentioned_and_anything_else_is_shown_escaped():
    assert mention("U0BUYER1") == "<@U0BUYER1>"
    assert mention("S0ACCOUNTING") == "<!subteam^S0ACCOUNTING>"
    assert mention("<!channel>") == "&lt;!channel&gt;"


def reminder_line(status: Status, note: ReminderNote) -> str:
    entry = ThreadEntry(7, "invoice-sync", AuditKind.APPROVAL_REMINDER, status, note.detail())
    return thread_line(entry, "100482-FE-20931")


def test_the_thread_line_says_how_long_for_which_stage_and_mentions_who_may_act():
    line = reminder_line(Status.PENDING_ACCOUNTING, ReminderNote(1, DAY + 3600, ("U0ACCT1", "S0ACCOUNTING")))
    assert line == (
        ":alarm_clock: Reminder: this invoice has waited 1 day 1 hour for Accounting approval. "
        "<@U0ACCT1>, <!subteam^S0ACCOUNTING>: it waits for one of you. (reminder 1 of 3)"
    )


def test_a_reminder_with_nobody_to_mention_says_the_list_needs_someone():
    line = reminder_line(Status.PENDING_PROCUREMENT, ReminderNote(3, 3 * DAY, ()))
    assert "for Procurement approval. Nobody on the approver list can act on it now" in line
