"""Against a Slack sandbox that keeps blocks on a text-only chat.update and refuses blocks over Block Kit's limits:
a replaced card can no longer be acted on, and any data renders as a card Slack accepts."""

import logging
import re

from slack_sdk.models.blocks import SectionBlock

from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from models import Invoice
from services.changes.actions import apply_action
from services.changes.unit_of_work import UnitOfWork
from services.read.cards import refresh_cards
from services.reconcile.unannounced import sweep_unannounced
from tests.builders import buttons, card, card_text, post, run_jobs, upload_data, uploaded
from tests.integration.helpers import approve_both, uploaded_data
from tests.sandboxes import ACCOUNTING, PROCUREMENT

SYSTEM = Actor(id="invoice-sync", roles=frozenset({Role.SYSTEM}))
LONG_ERROR = "QuickBooks has no class named 'Miami & Co <North>'; known classes: " + ", ".join(
    f"Farm & Region {i}" for i in range(400)
)


def status_and_revision(runtime, invoice_id):
    with runtime.sessions() as session:
        invoice = session.get(Invoice, invoice_id)
        return invoice.status, invoice.revision


def test_a_replaced_card_keeps_no_buttons_and_a_click_on_its_stale_approve_changes_nothing(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = uploaded(web)
    run_jobs(slack_runtime)
    uploaded(web, attachment_url="https://files.example.com/FE-20931-v2.pdf")
    run_jobs(slack_runtime)
    old, new = slack_sandbox.messages(PROCUREMENT)
    assert [b for b in old["blocks"] if b["type"] == "actions"] == [] and buttons(old) == []
    link = slack_sandbox.calls("chat.getPermalink")[-1]
    assert link["args"]["message_ts"] == new["ts"] and "Replaced by revision 2" in card_text(old)
    assert f"/p{new['ts'].replace('.', '')}|see the new card>" in card_text(old)
    assert "replaced by revision 2" in old["text"]
    # A stale copy of the card (as a client that missed the update shows it): its Approve says revision 1.
    stale = {**old, "blocks": old["history"][-1]["blocks"]}
    assert post(web, slack.block_actions(stale, "Approve", user="U0BUYER1")) == 200
    assert status_and_revision(slack_runtime, invoice_id) == (Status.PENDING_PROCUREMENT, 2)
    assert "revision 2 replaced" in slack_sandbox.ephemerals(user="U0BUYER1")[0]["text"]
    assert buttons(new) == ["Approve", "Reject"]
    post(web, slack.block_actions(new, "Approve", user="U0BUYER1"))
    assert status_and_revision(slack_runtime, invoice_id) == (Status.PENDING_ACCOUNTING, 2)


def failed_with(web, slack, sandbox, runtime, reason: str) -> int:
    invoice_id = uploaded(web)
    approve_both(web, slack, sandbox, runtime)
    post(web, slack.block_actions(card(sandbox, ACCOUNTING), "Send to External System", user="U0AP1"))
    with UnitOfWork(runtime) as uow:
        apply_action(uow, invoice_id, Action.SYNC_FAILED, SYSTEM, reason=reason)
    run_jobs(runtime)
    return invoice_id


def test_a_5000_character_sync_error_is_cut_to_fit_and_the_card_turns_failed(web, slack, slack_sandbox, slack_runtime):
    failed_with(web, slack, slack_sandbox, slack_runtime, LONG_ERROR)
    accounting = card(slack_sandbox, ACCOUNTING)
    assert buttons(accounting) == ["Retry", "Return to Approved"]
    [note] = [b["text"]["text"] for b in accounting["blocks"] if "Last sync error" in b.get("text", {}).get("text", "")]
    assert len(note) == 3000 and note.endswith("…") and "Miami &amp; Co &lt;North&gt;" in note
    assert not re.search(r"&[a-z]*…$", note)  # never cut inside an entity
    line = slack_sandbox.thread(ACCOUNTING, accounting["ts"])[-1]["text"]
    assert line.startswith(":red_circle: Sync failed: QuickBooks has no class") and len(line) <= 4000
    assert line.endswith("…") and not re.search(r"&[a-z]*…$", line)
    assert all(call["ok"] for call in slack_sandbox.calls() if call["method"].startswith("chat."))


def test_a_card_of_60_lines_stays_within_50_blocks(web, slack_sandbox, slack_runtime):
    uploaded_data(
        web,
        upload_data(
            invoice={
                "lines": [
                    {"product": f"Rose {i}", "boxes": 1, "units": 10, "unit_price": "1.0000", "amount": "10.00"}
                    for i in range(60)
                ],
                "charges": [],
                "total": "600.00",
            }
        ),
    )
    run_jobs(slack_runtime)
    procurement = card(slack_sandbox, PROCUREMENT)
    assert len(procurement["blocks"]) <= 50 and "and 55 more lines" in card_text(procurement)


def test_a_message_over_the_limits_is_a_bug_logged_once_and_never_retried(
    web, slack_sandbox, slack_runtime, caplog, monkeypatch
):
    invoice_id = uploaded(web)
    monkeypatch.setattr("bot.poster.card_blocks", lambda kind, view, **links: [SectionBlock(text="x" * 3001)])
    caplog.set_level(logging.INFO)
    refresh_cards(slack_runtime, invoice_id, None)  # slack_sdk raises SlackObjectFormationError: not retried
    refresh_cards(slack_runtime, invoice_id, None)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "bug in invoice-sync" in errors[0] and "3000" in errors[0]
    assert slack_sandbox.calls("chat.postMessage") == []


def test_blocks_slack_refuses_as_invalid_are_a_bug_logged_once_and_not_sent_again(
    web, slack_sandbox, slack_runtime, caplog, monkeypatch
):
    invoice_id = uploaded(web)
    oversized = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    monkeypatch.setattr("bot.poster.card_blocks", lambda kind, view, **links: oversized)
    refresh_cards(slack_runtime, invoice_id, None)
    assert sweep_unannounced(slack_runtime) >= 1  # the card is still missing: the sweep announces it again
    run_jobs(slack_runtime)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "invalid_blocks (must be less than 3001 characters" in errors[0]
    assert "bug in invoice-sync" in errors[0]
    assert [c["error"] for c in slack_sandbox.calls("chat.postMessage")] == ["invalid_blocks"]
