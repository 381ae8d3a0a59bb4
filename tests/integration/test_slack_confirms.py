"""Send and Return to Approved ask first: Send names the Bill and its total; Return to Approved says the Bill stays,
then asks why in a modal, and the thread shows the reason."""

import pytest

from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from models import AuditEntry, Invoice
from services.changes.actions import apply_action
from services.changes.unit_of_work import UnitOfWork
from tests.builders import approved_by_procurement, buttons, card, post, run_jobs
from tests.sandboxes import ACCOUNTING, PROCUREMENT

SYSTEM = Actor(id="invoice-sync", roles=frozenset({Role.SYSTEM}))
BILL = "100482-FE-20931"
SEND, RETURN = "Send to External System", "Return to Approved"
ADOPTED = "If the invoice is sent again unchanged, invoice-sync adopts that Bill instead of creating a second one."


def plain(text: str, emoji: bool = True) -> dict:
    return {"type": "plain_text", "text": text, "emoji": emoji}


def button(message: dict, label: str) -> dict:
    [found] = [
        e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == label
    ]
    return found


def stored(runtime, invoice_id) -> Invoice:
    with runtime.sessions() as session:
        return session.get(Invoice, invoice_id)


def returns_of(runtime, invoice_id) -> list[tuple[str, str, str]]:
    with runtime.sessions() as session:
        return [
            (e.actor, e.outcome, e.detail)
            for e in session.query(AuditEntry)
            .filter_by(invoice_id=invoice_id, action=Action.RETURN_TO_APPROVED)
            .order_by(AuditEntry.id)
        ]


def thread_texts(sandbox, message) -> list[str]:
    return [m["text"] for m in sandbox.thread(message["channel"], message["ts"])]


def status_field(message: dict) -> str:
    [field] = [
        f["text"]
        for b in message["blocks"]
        if b["type"] == "section"
        for f in b.get("fields", [])
        if f["text"].startswith("*Status*")
    ]
    return field


def system(runtime, invoice_id, action, **options) -> None:
    with UnitOfWork(runtime) as uow:  # publishes InvoiceChanged on commit, as the sync job does
        assert apply_action(uow, invoice_id, action, SYSTEM, **options).changed
    run_jobs(runtime)


def approved(web, slack, sandbox, runtime) -> int:
    invoice_id = approved_by_procurement(web, slack, sandbox, runtime)
    post(web, slack.block_actions(card(sandbox, ACCOUNTING), "Approve", user="U0ACCT1"))
    run_jobs(runtime)
    return invoice_id


def sent(web, slack, sandbox, runtime) -> int:
    invoice_id = approved(web, slack, sandbox, runtime)
    post(web, slack.block_actions(card(sandbox, ACCOUNTING), SEND, user="U0AP1"))
    run_jobs(runtime)  # the sync job is set aside: the invoice stays in ES
    return invoice_id


def synchronized(web, slack, sandbox, runtime) -> int:
    invoice_id = sent(web, slack, sandbox, runtime)
    system(runtime, invoice_id, Action.SYNC_SUCCEEDED, values={"bill_id": "146", "bill_number": BILL})
    return invoice_id


def test_send_asks_to_confirm_naming_the_bill_number_and_the_total(web, slack, slack_sandbox, slack_runtime):
    approved(web, slack, slack_sandbox, slack_runtime)
    assert button(card(slack_sandbox, ACCOUNTING), SEND)["confirm"] == {
        "title": plain("Send to QuickBooks?"),
        "text": plain(f"Creates Bill {BILL} for USD 1,093.50 in QuickBooks.", emoji=False),
        "confirm": plain("Send"),
        "deny": plain("Cancel"),
    }


def test_return_to_approved_on_a_synchronized_invoice_asks_to_confirm_that_the_bill_stays_then_asks_why(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = synchronized(web, slack, slack_sandbox, slack_runtime)
    accounting = card(slack_sandbox, ACCOUNTING)
    confirm = button(accounting, RETURN)["confirm"]
    assert confirm["title"] == plain("Return to Approved?") and confirm["confirm"] == plain("Continue")
    assert confirm["text"] == plain(
        f"Bill {BILL} (QuickBooks id 146) stays in QuickBooks: invoice-sync deletes "
        f"nothing there. {ADOPTED} Next, you say why.",
        emoji=False,
    )
    assert len(confirm["text"]["text"]) <= 300
    lines_before = thread_texts(slack_sandbox, accounting)

    assert post(web, slack.block_actions(accounting, RETURN, user="U0AP1")) == 200  # Slack sends it once confirmed
    [opened] = slack_sandbox.views(user="U0AP1")
    assert opened["view"]["title"]["text"] == "Return to Approved" and opened["view"]["submit"]["text"] == "Return"
    assert (
        stored(slack_runtime, invoice_id).status == Status.SYNCHRONIZED and returns_of(slack_runtime, invoice_id) == []
    )
    run_jobs(slack_runtime)
    assert thread_texts(slack_sandbox, accounting) == lines_before

    headers, body = slack.view_submission(opened, "  ")
    answer = web.post("/slack/events", data=body, headers=headers).get_json()
    assert answer == {
        "response_action": "errors",
        "errors": {"reason": "Please say why it goes back to Approved, for the audit log and the thread."},
    }
    assert stored(slack_runtime, invoice_id).status == Status.SYNCHRONIZED

    assert post(web, slack.view_submission(opened, "Booked to the wrong GL account")) == 200
    invoice = stored(slack_runtime, invoice_id)
    assert (invoice.status, invoice.bill_id) == (Status.APPROVED, "146")  # the Bill stays, as the dialog said
    assert returns_of(slack_runtime, invoice_id) == [("U0AP1", "allowed", "Booked to the wrong GL account")]
    run_jobs(slack_runtime)
    accounting = card(slack_sandbox, ACCOUNTING)
    assert thread_texts(slack_sandbox, accounting)[-1] == (
        ":leftwards_arrow_with_hook: Returned to Approved by <@U0AP1>: Booked to the wrong GL account"
    )
    assert (
        thread_texts(slack_sandbox, card(slack_sandbox, PROCUREMENT))[-1] == thread_texts(slack_sandbox, accounting)[-1]
    )
    # The Bill is still there: the Send adopts it, and the dialog says so instead of "Creates Bill".
    assert buttons(accounting) == [SEND] and button(accounting, SEND)["confirm"]["text"] == plain(
        f"Adopts Bill {BILL} (QuickBooks id 146), already in QuickBooks, for USD 1,093.50: no second Bill is created.",
        emoji=False,
    )


def test_someone_who_is_not_an_ap_sender_gets_the_return_form_and_is_refused_inside_it(
    web, slack, slack_sandbox, slack_runtime
):
    invoice_id = synchronized(web, slack, slack_sandbox, slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), RETURN, user="U0ACCT1"))
    [opened] = slack_sandbox.views(user="U0ACCT1")  # opened before any check: the trigger_id lives 3 s
    headers, body = slack.view_submission(opened, "I would like it back")
    answer = web.post("/slack/events", data=body, headers=headers).get_json()
    assert answer["response_action"] == "errors"
    assert "Only an A/P sender may return it to Approved." in answer["errors"]["reason"]
    assert stored(slack_runtime, invoice_id).status == Status.SYNCHRONIZED
    assert returns_of(slack_runtime, invoice_id) == [
        ("U0ACCT1", "refused", "Only an A/P sender may return it to Approved.")
    ]


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (
            Status.SENT,
            f"The sync under way creates no Bill after this; a Bill {BILL} being created right now stays in "
            f"QuickBooks and is reported in the thread. {ADOPTED}",
        ),
        (
            Status.FAILED,
            f"If Bill {BILL} is in QuickBooks, it stays there: invoice-sync deletes nothing there. {ADOPTED}",
        ),
    ],
)
def test_return_to_approved_while_sending_or_after_a_failure_says_what_becomes_of_a_bill(
    web, slack, slack_sandbox, slack_runtime, status, says
):
    invoice_id = sent(web, slack, slack_sandbox, slack_runtime)
    if status is Status.FAILED:
        system(slack_runtime, invoice_id, Action.SYNC_FAILED, reason="QuickBooks has no vendor named 'Flores'")
    accounting = card(slack_sandbox, ACCOUNTING)
    assert button(accounting, RETURN)["confirm"]["text"] == plain(f"{says} Next, you say why.", emoji=False)
    post(web, slack.block_actions(accounting, RETURN, user="U0AP1"))
    post(web, slack.view_submission(slack_sandbox.views(user="U0AP1")[0], "Vendor name to be fixed first"))
    assert stored(slack_runtime, invoice_id).status == Status.APPROVED


def test_cards_and_the_status_answer_name_statuses_without_their_codes(web, slack, slack_sandbox, slack_runtime):
    synchronized(web, slack, slack_sandbox, slack_runtime)
    for shown in (card(slack_sandbox, PROCUREMENT), card(slack_sandbox, ACCOUNTING)):
        assert status_field(shown) == "*Status*\n:large_green_circle: Synchronized"
    headers, body = slack.slash_command("/invoice status FE-20931", user="U0OUTSIDE", channel=PROCUREMENT)
    text = web.post("/slack/events", data=body, headers=headers).get_json()["text"]
    assert "Status: *Synchronized*\n" in text and "(S)" not in text
