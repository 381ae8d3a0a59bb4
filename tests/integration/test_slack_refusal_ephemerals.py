"""A refused click is explained to the person even when Slack will not show them an ephemeral in the channel
(user_not_in_channel, not_in_channel, is_archived): through the click's response_url instead, logged in one line,
never retried, and the click is answered."""

import logging

import pytest

from invoices.statuses import Status
from models import Invoice
from tests.builders import card, post, run_jobs, uploaded
from tests.sandboxes import PROCUREMENT

EVERYONE_BUT_OLGA = ["U0BUYER1", "U0BUYER2", "U0ACCT1", "U0ACCT2", "U0AP1", "U0INVBOT"]


@pytest.fixture
def channel(slack_sandbox):
    """The procurement channel, put back as it was after the test."""
    yield PROCUREMENT
    slack_sandbox.change_channel(PROCUREMENT, is_archived=False, is_member=True, members=None)


def status_of(runtime, invoice_id):
    with runtime.sessions() as session:
        return session.get(Invoice, invoice_id).status


@pytest.mark.parametrize(
    "change, code",
    [
        ({"members": EVERYONE_BUT_OLGA}, "user_not_in_channel"),
        ({"is_member": False}, "not_in_channel"),
        ({"is_archived": True}, "is_archived"),
    ],
    ids=["user_not_in_channel", "not_in_channel", "is_archived"],
)
def test_a_refusal_slack_will_not_show_in_the_channel_is_told_through_the_response_url(
    web, slack, slack_sandbox, slack_runtime, caplog, channel, change, code
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    slack_sandbox.change_channel(channel, **change)
    caplog.set_level(logging.INFO)
    assert post(web, slack.block_actions(card(slack_sandbox, channel), "Approve", user="U0OUTSIDE")) == 200
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT
    assert [c["error"] for c in slack_sandbox.calls("chat.postEphemeral")] == [code]
    [told] = slack_sandbox.ephemerals(user="U0OUTSIDE")
    assert told["via"] == "response_url" and "Procurement approver" in told["text"]
    said = [r.getMessage() for r in caplog.records if r.name == "bot.refusals"]
    assert len(said) == 1 and code in said[0] and "response_url" in said[0]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "bot.refusals"]


def test_a_busy_slack_loses_only_the_explanation_in_one_warning_and_is_not_retried(
    web, slack, slack_sandbox, slack_runtime, caplog
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    slack_sandbox.fail_next("chat.postEphemeral", status=500)
    assert post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Approve", user="U0OUTSIDE")) == 200
    assert status_of(slack_runtime, invoice_id) == Status.PENDING_PROCUREMENT
    assert len(slack_sandbox.calls("chat.postEphemeral")) == 1 and slack_sandbox.ephemerals() == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "bot.refusals"]
    assert len(warnings) == 1 and "could not show U0OUTSIDE why an action was refused" in warnings[0]
