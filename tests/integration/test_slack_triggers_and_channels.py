"""Against a Slack sandbox whose trigger_ids expire 3 s after the click and are exchanged once, and whose channels
can be archived or left: the reason form opens first, a late click is told to click again, and a channel the bot
cannot post in is reported once with its fix, without a retry storm."""

import logging

import pytest
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from invoices.statuses import Status
from jobs.registry import SLACK_QUEUE
from models import Invoice
from services.reconcile.unannounced import sweep_unannounced
from tests.builders import approved_by_procurement, card, post, run_jobs, uploaded
from tests.sandboxes import ACCOUNTING, PROCUREMENT


def status_of(runtime, invoice_id):
    with runtime.sessions() as session:
        return session.get(Invoice, invoice_id).status


def test_return_to_procurement_opens_the_form_before_any_user_group_lookup(web, slack, slack_sandbox, slack_runtime):
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, slack_runtime)
    slack_runtime.redis.delete("invoice-sync:slack-usergroup:S0ACCOUNTING")  # the group's members not cached
    before = len(slack_sandbox.calls())
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Return to Procurement", user="U0ACCT2"))
    assert [c["method"] for c in slack_sandbox.calls()[before:]] == ["views.open"]
    post(web, slack.view_submission(slack_sandbox.views(user="U0ACCT2")[0], "Freight charge missing"))
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT


@pytest.mark.parametrize(
    "deliveries, age, told",
    [
        (1, 3.5, "The form could not open because Slack's 3-second window for it passed; click Reject again."),
        (2, 0.0, "The form for this click was already opened once"),
    ],
    ids=["expired", "exchanged"],
)
def test_a_reason_form_slack_will_not_open_is_explained_with_what_to_do(
    web, slack, slack_sandbox, slack_runtime, deliveries, age, told
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    click = slack.block_actions(card(slack_sandbox, PROCUREMENT), "Reject", user="U0BUYER1", trigger_age=age)
    for _ in range(deliveries):
        assert post(web, click) == 200
    said = [e["text"] for e in slack_sandbox.ephemerals(user="U0BUYER1")]
    assert len(said) == 1 and told in said[0]
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT


@pytest.fixture
def channel(slack_sandbox):
    """The procurement channel, put back as it was after the test."""
    yield PROCUREMENT
    slack_sandbox.change_channel(PROCUREMENT, is_archived=False, is_member=True)


def slack_jobs_waiting(runtime) -> int:
    return len(FailedJobRegistry(SLACK_QUEUE, connection=runtime.redis)) + len(
        ScheduledJobRegistry(SLACK_QUEUE, connection=runtime.redis)
    )


@pytest.mark.parametrize(
    "change, advice",
    [
        (
            {"is_member": False},
            "the bot is not in C0PROCURE (SLACK_PROCUREMENT_CHANNEL): invite @invoice-sync to that channel",
        ),
        (
            {"is_archived": True},
            "the channel C0PROCURE (SLACK_PROCUREMENT_CHANNEL) is archived: unarchive it, or set "
            "SLACK_PROCUREMENT_CHANNEL to a live channel",
        ),
    ],
    ids=["not_in_channel", "is_archived"],
)
def test_a_channel_the_bot_cannot_post_in_is_reported_once_with_its_fix_and_not_retried(
    web, slack_sandbox, slack_runtime, caplog, channel, change, advice
):
    slack_sandbox.change_channel(channel, **change)
    uploaded(web)
    uploaded(web, number="FE-20932")
    caplog.set_level(logging.INFO)
    run_jobs(slack_runtime)
    for _ in range(3):  # three sweeps: each announces the missing cards again
        sweep_unannounced(slack_runtime)
        run_jobs(slack_runtime)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and advice in errors[0], errors
    assert len(slack_sandbox.calls("chat.postMessage")) == 1  # the later announcements did not call Slack
    assert slack_jobs_waiting(slack_runtime) == 0
    slack_sandbox.change_channel(channel, is_archived=False, is_member=True)
    for key in slack_runtime.redis.scan_iter("invoice-sync:slack-refused:*"):  # as if 5 minutes had passed
        slack_runtime.redis.delete(key)
    sweep_unannounced(slack_runtime)
    run_jobs(slack_runtime)
    assert len(slack_sandbox.messages(PROCUREMENT)) == 2
