"""Roles from the approver lists, user groups through usergroups.users.list, failing closed."""

from bot.authorization import resolve_actor
from bot.slack_client import job_client
from invoices.rules import Role
from invoices.statuses import Status
from models import Invoice
from tests.builders import approved_by_procurement, card, post
from tests.sandboxes import ACCOUNTING


def test_members_of_a_listed_user_group_are_accounting_approvers(slack_runtime, slack_sandbox):
    who = resolve_actor(slack_runtime, job_client(slack_runtime.settings), "U0ACCT2")
    assert who.actor.roles == {Role.ACCOUNTING_APPROVER} and who.unchecked == ()


def test_group_members_are_cached_so_a_second_click_does_not_ask_slack(slack_runtime, slack_sandbox):
    client = job_client(slack_runtime.settings)
    for user in ("U0ACCT1", "U0ACCT2", "U0OUTSIDE"):
        resolve_actor(slack_runtime, client, user)
    assert len(slack_sandbox.calls("usergroups.users.list")) == 1


def test_a_group_that_cannot_be_checked_gives_no_role_and_the_refusal_says_why(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, slack_runtime)
    slack_runtime.redis.delete("invoice-sync:slack-usergroup:S0ACCOUNTING")
    slack_sandbox.fail_next("usergroups.users.list", error="missing_scope")
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Approve", user="U0ACCT1"))
    with slack_runtime.sessions() as session:
        assert session.get(Invoice, invoice_id).status == Status.PENDING_ACCOUNTING
    text = slack_sandbox.ephemerals(user="U0ACCT1")[0]["text"]
    assert "Only an Accounting approver may approve it." in text
    assert "accounting approver list could not be checked" in text


def test_someone_listed_directly_needs_no_group_lookup(slack_runtime, slack_sandbox):
    slack_sandbox.fail_next("usergroups.users.list", status=500, count=5)
    who = resolve_actor(slack_runtime, job_client(slack_runtime.settings), "U0BUYER2")
    assert {Role.PROCUREMENT_APPROVER, Role.ACCOUNTING_APPROVER} <= who.actor.roles
