"""The App Home: published by a job when someone opens the Home tab, with what waits for them and within limits."""

import json
from datetime import UTC, datetime, timedelta

from invoices.rules import Actor, Role
from invoices.statuses import Action
from jobs.registry import queues
from services.changes.actions import apply_action
from services.changes.unit_of_work import UnitOfWork
from tests.builders import card, post, run_jobs, upload, uploaded, work
from tests.integration.helpers import approve_both, later
from tests.sandboxes import ACCOUNTING, PROCUREMENT

SYSTEM = Actor(id="invoice-sync", roles=frozenset({Role.SYSTEM}))


def opened(web, slack, runtime, user: str, tab: str = "home") -> dict | None:
    """`user` opens the app's tab: the request is answered at once, then the jobs run; their Home as published."""
    headers, body = slack.app_home_opened(user, tab)
    assert web.post("/slack/events", data=body, headers=headers).status_code == 200
    work(runtime)
    return slack.sandbox.home(user)


def texts(home: dict) -> list[str]:
    """The text of each block of a published Home, in order."""
    blocks = home["view"]["blocks"]
    return [json.dumps(b.get("text") or b.get("elements") or "", ensure_ascii=False) for b in blocks]


def permalink(sandbox, channel: str) -> str:
    return f"https://sandbox-flowers.slack.com/archives/{channel}/p{card(sandbox, channel)['ts'].replace('.', '')}"


def test_opening_the_home_tab_only_enqueues_and_the_job_publishes_what_waits_for_a_buyer(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    later(slack_runtime, invoice_id, 2 * 86400 + 3 * 3600)
    headers, body = slack.app_home_opened("U0BUYER1")
    assert web.post("/slack/events", data=body, headers=headers).status_code == 200
    assert slack_sandbox.calls("views.publish") == []  # the listener only acknowledged and enqueued
    work(slack_runtime)
    home = slack_sandbox.home("U0BUYER1")
    shown = texts(home)
    assert "Invoices waiting for you" in shown[0] and "To approve or send* · 1" in shown[1]
    line = shown[2]
    assert f"*<{permalink(slack_sandbox, PROCUREMENT)}|FE-20931>*" in line
    assert "Flores de la Sabana · USD 1,093.50 · Pending Procurement Approval · waiting 2 days 3 hours" in line
    assert slack_sandbox.calls("views.publish")[0]["ok"]


def test_a_second_opening_publishes_again_without_asking_slack_for_the_cards_link(
    web, slack, slack_sandbox, slack_runtime
):
    uploaded(web)
    run_jobs(slack_runtime)
    opened(web, slack, slack_runtime, "U0BUYER2")
    opened(web, slack, slack_runtime, "U0BUYER2")
    assert len(slack_sandbox.calls("views.publish")) == 2 and len(slack_sandbox.home("U0BUYER2")["history"]) == 1
    assert len(slack_sandbox.calls("chat.getPermalink")) == 1


def test_the_messages_tab_publishes_nothing(web, slack, slack_sandbox, slack_runtime):
    uploaded(web)
    run_jobs(slack_runtime)
    assert opened(web, slack, slack_runtime, "U0BUYER1", tab="messages") is None
    assert slack_sandbox.calls("views.publish") == []


def test_an_ap_sender_sees_what_to_send_and_each_failed_sync_with_its_error(web, slack, slack_sandbox, slack_runtime):
    failed = uploaded(web)
    approve_both(web, slack, slack_sandbox, slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Send to External System", user="U0AP1"))
    with UnitOfWork(slack_runtime) as uow:
        apply_action(uow, failed, Action.SYNC_FAILED, SYSTEM, reason="QuickBooks has no vendor named <Flores>")
    uploaded(web, number="FE-20932")
    run_jobs(slack_runtime)
    second = slack_sandbox.messages(PROCUREMENT)[-1]
    post(web, slack.block_actions(second, "Approve", user="U0BUYER1"))
    run_jobs(slack_runtime)
    post(web, slack.block_actions(slack_sandbox.messages(ACCOUNTING)[-1], "Approve", user="U0ACCT1"))
    shown = texts(opened(web, slack, slack_runtime, "U0AP1"))
    assert "To approve or send* · 1" in shown[1] and "FE-20932" in shown[2] and "Approved · waiting" in shown[2]
    assert "Failed syncs waiting for a Retry* · 1" in shown[4]
    assert f"<{permalink_of(slack_sandbox, ACCOUNTING, 0)}|FE-20931>" in shown[5]
    assert "failed less than a minute ago\\n> QuickBooks has no vendor named &lt;Flores&gt;" in shown[5]


def permalink_of(sandbox, channel: str, index: int) -> str:
    ts = sandbox.messages(channel)[index]["ts"]
    return f"https://sandbox-flowers.slack.com/archives/{channel}/p{ts.replace('.', '')}"


def test_someone_on_no_list_is_told_nothing_waits_for_them(web, slack, slack_sandbox, slack_runtime):
    uploaded(web)
    shown = texts(opened(web, slack, slack_runtime, "U0OUTSIDE"))
    assert "You are not on any approver or sender list" in shown[1] and len(shown) == 3


def test_a_delegate_sees_what_waits_for_whom_they_act_for_and_the_delegation(web, slack, slack_sandbox, slack_runtime):
    until = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    headers, body = slack.slash_command(f"/invoice delegate <@U0OUTSIDE|olga> until {until}", "U0BUYER1", PROCUREMENT)
    assert web.post("/slack/events", data=body, headers=headers).status_code == 200
    uploaded(web)
    run_jobs(slack_runtime)
    shown = texts(opened(web, slack, slack_runtime, "U0OUTSIDE"))
    assert "To approve or send* · 1" in shown[1] and "Pending Procurement Approval" in shown[2]
    assert f"You act for <@U0BUYER1> with their approvals through {until} (UTC)." in shown[-2]
    delegator = texts(opened(web, slack, slack_runtime, "U0BUYER1"))
    assert f"You let <@U0OUTSIDE> act with your approvals through {until} (UTC)." in delegator[-2]


def test_a_long_list_keeps_within_100_blocks_shows_the_oldest_and_says_how_many_more(
    web, slack, slack_sandbox, slack_runtime
):
    ids = [upload(slack_runtime, invoice={"number": f"FE-{40000 + n}"}) for n in range(130)]
    for queue in queues(slack_runtime.redis):  # no cards needed: lines without a card are shown unlinked
        queue.empty()
    for age, invoice_id in enumerate(reversed(ids)):  # the first uploaded has waited longest
        later(slack_runtime, invoice_id, 3600 + age * 60)
    shown = texts(opened(web, slack, slack_runtime, "U0BUYER1"))
    assert len(shown) == 100 and slack_sandbox.calls("views.publish")[-1]["ok"]
    assert "To approve or send* · 130" in shown[1]
    lines = [text for text in shown if "FE-4" in text]
    assert "FE-40000" in lines[0] and "FE-40001" in lines[1] and len(lines) == 96
    assert "…and 34 more; the ones waiting longest are shown." in shown[-2]
