"""Through signed Slack requests and the Slack sandbox: two Accounting approvals above the threshold, and
approving for someone who delegated (granted, used, audited as "X for Y", refused, ended, expired)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from jobs import tasks
from models import AuditEntry, DelegationGrant
from models.base import utcnow
from models.database import transaction
from tests.backends import with_settings
from tests.builders import approved_by_procurement, card, card_text, post, run_jobs, stored
from tests.sandboxes import ACCOUNTING
from webhooks.app import create_app


@pytest.fixture
def policy_runtime(slack_runtime):
    """The Slack-pointed runtime with ACCOUNTING_SECOND_APPROVAL_ABOVE at 1000.00 (the example totals 1093.50)."""
    pointed = with_settings(slack_runtime, accounting_second_approval_above=Decimal("1000.00"))
    tasks.configure(pointed)
    yield pointed
    tasks.configure(slack_runtime)


def ask(web, slack, text: str, user: str) -> str:
    headers, body = slack.slash_command(text, user=user, channel=ACCOUNTING)
    answer = web.post("/slack/events", data=body, headers=headers)
    assert answer.status_code == 200
    return answer.get_json()["text"]


def click_accounting(web, slack, slack_sandbox, runtime, user: str) -> None:
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Approve", user=user))
    run_jobs(runtime)


def last_ephemeral(slack_sandbox, user: str) -> str:
    return slack_sandbox.ephemerals(user=user)[-1]["text"]


def in_days(days: int) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


def test_above_the_threshold_accounting_needs_two_different_people_and_the_card_counts_them(
    policy_runtime, slack, slack_sandbox
):
    web = create_app(policy_runtime).test_client()
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, policy_runtime)
    click_accounting(web, slack, slack_sandbox, policy_runtime, "U0ACCT1")
    assert stored(policy_runtime, invoice_id).status == "AA"
    assert "1 of 2 Accounting approvals (by <@U0ACCT1>)" in card_text(card(slack_sandbox, ACCOUNTING))
    assert "1 of 2 Accounting approvals" in ask(web, slack, "/invoice status FE-20931", "U0ACCT2")
    click_accounting(web, slack, slack_sandbox, policy_runtime, "U0ACCT1")
    assert "already approved this invoice for Accounting" in last_ephemeral(slack_sandbox, "U0ACCT1")
    assert stored(policy_runtime, invoice_id).status == "AA"
    click_accounting(web, slack, slack_sandbox, policy_runtime, "U0ACCT2")
    assert stored(policy_runtime, invoice_id).status == "A"
    assert "of 2 Accounting approvals" not in card_text(card(slack_sandbox, ACCOUNTING))


def test_below_the_threshold_one_accounting_approval_is_enough(slack_runtime, web, slack, slack_sandbox):
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, slack_runtime)
    click_accounting(web, slack, slack_sandbox, slack_runtime, "U0ACCT1")
    assert stored(slack_runtime, invoice_id).status == "A"


def test_a_delegate_approves_as_x_for_y_in_the_audit_the_card_and_the_thread(slack_runtime, web, slack, slack_sandbox):
    granted = ask(web, slack, f"/invoice delegate <@U0OUTSIDE|olga> until {in_days(3)}", "U0ACCT1")
    assert granted.startswith("<@U0OUTSIDE> approves for <@U0ACCT1> (accounting approver) through")
    assert "<@U0OUTSIDE> approves for <@U0ACCT1>" in ask(web, slack, "/invoice delegate", "U0ACCT1")
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, slack_runtime)
    assert "FE-20931" in ask(web, slack, "/invoice pending", "U0OUTSIDE")
    click_accounting(web, slack, slack_sandbox, slack_runtime, "U0OUTSIDE")
    assert stored(slack_runtime, invoice_id).status == "A"
    with slack_runtime.sessions() as session:
        actors = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.invoice_id == invoice_id, AuditEntry.action == "approve")
        ).all()
    assert actors == ["U0BUYER1", "U0OUTSIDE for U0ACCT1"]
    assert "<@U0OUTSIDE> for <@U0ACCT1>" in card_text(card(slack_sandbox, ACCOUNTING))
    thread = [m["text"] for m in slack_sandbox.thread(ACCOUNTING, card(slack_sandbox, ACCOUNTING)["ts"])]
    assert any("Approved for Accounting by <@U0OUTSIDE> for <@U0ACCT1>" in line for line in thread)


def test_segregation_of_duties_holds_for_whom_a_delegate_acts(slack_runtime, web, slack, slack_sandbox):
    ask(web, slack, f"/invoice delegate <@U0BUYER1|paula> until {in_days(1)}", "U0ACCT1")
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, slack_runtime, user="U0BUYER1")
    click_accounting(web, slack, slack_sandbox, slack_runtime, "U0BUYER1")
    assert "approved this invoice for Procurement" in last_ephemeral(slack_sandbox, "U0BUYER1")
    assert stored(slack_runtime, invoice_id).status == "AA"


def test_delegation_off_and_expiry_end_it_and_every_refused_grant_says_why(slack_runtime, web, slack, slack_sandbox):
    assert "Only a Procurement or Accounting approver" in ask(
        web, slack, f"/invoice delegate <@U0OUTSIDE> until {in_days(1)}", "U0AP1"
    )
    assert "yourself" in ask(web, slack, f"/invoice delegate <@U0ACCT1> until {in_days(1)}", "U0ACCT1")
    assert "in the past" in ask(web, slack, f"/invoice delegate <@U0OUTSIDE> until {in_days(-1)}", "U0ACCT1")
    assert "at most a year" in ask(web, slack, f"/invoice delegate <@U0OUTSIDE> until {in_days(400)}", "U0ACCT1")
    assert "could not read" in ask(web, slack, "/invoice delegate olga tomorrow", "U0ACCT1")
    ask(web, slack, f"/invoice delegate <@U0OUTSIDE> until {in_days(2)}", "U0ACCT1")
    assert ask(web, slack, "/invoice delegate off", "U0ACCT1") == "Your delegation is ended."
    invoice_id = approved_by_procurement(web, slack, slack_sandbox, slack_runtime)
    click_accounting(web, slack, slack_sandbox, slack_runtime, "U0OUTSIDE")
    assert stored(slack_runtime, invoice_id).status == "AA"
    ask(web, slack, f"/invoice delegate <@U0OUTSIDE> until {in_days(0)}", "U0ACCT1")
    with transaction(slack_runtime.sessions) as session:
        session.execute(update(DelegationGrant).values(until=utcnow().date() - timedelta(days=1)))
    click_accounting(web, slack, slack_sandbox, slack_runtime, "U0OUTSIDE")
    assert stored(slack_runtime, invoice_id).status == "AA", "an expired delegation lets nobody act"
    assert "not delegated" in ask(web, slack, "/invoice delegate", "U0ACCT1")
    with slack_runtime.sessions() as session:
        refused = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "delegation", AuditEntry.outcome == "refused")
        ).all()
    assert len(refused) == 4
