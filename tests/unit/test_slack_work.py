"""What one card refresh asks of Slack's pacing: its messages and its calls by channel."""

from invoices.statuses import Action, Status
from services.read.slack_work import slack_work, thread_messages
from services.views import ThreadEntry

SENT = ThreadEntry(7, "U0AP1", Action.SEND, Status.APPROVED, None)
SYNCED = ThreadEntry(8, "invoice-sync", Action.SYNC_SUCCEEDED, Status.SENT, "Bill PO-1 (QuickBooks id 12).")
CHANNELS = {"procurement": "C0PROCURE", "accounting": "C0ACCOUNT"}


def test_a_persons_change_tells_each_entry_in_its_own_message_on_each_card_lacking_it():
    messages = thread_messages([SENT, SYNCED], {(7, "accounting")}, list(CHANNELS), bulk=False)
    assert messages == {"procurement": [[SENT], [SYNCED]], "accounting": [[SYNCED]]}


def test_bulk_work_tells_all_of_a_cards_untold_entries_in_one_message():
    messages = thread_messages([SENT, SYNCED], set(), list(CHANNELS), bulk=True)
    assert messages == {"procurement": [[SENT, SYNCED]], "accounting": [[SENT, SYNCED]]}
    assert thread_messages([SENT], {(7, "procurement")}, ["procurement"], bulk=True) == {"procurement": []}


def test_the_work_counts_an_update_per_existing_card_and_a_post_per_new_card_and_message():
    messages = {"procurement": [[SENT, SYNCED]], "accounting": [[SENT], [SYNCED]]}
    work = slack_work("U0AP1", CHANNELS, messages, added=["accounting"], revised=False)
    assert (work.actor, work.updates, work.posts) == ("U0AP1", 1, {"C0PROCURE": 1, "C0ACCOUNT": 3})


def test_a_revision_reposts_the_procurement_card_and_marks_the_old_one():
    work = slack_work("erp", {"procurement": "C0PROCURE"}, {"procurement": [[SENT]]}, added=[], revised=True)
    assert (work.updates, work.posts) == (2, {"C0PROCURE": 2})
