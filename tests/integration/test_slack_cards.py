"""What the cards show: the invoice, its lines, blocking problems, sync errors, and only allowed buttons."""

from invoices.rules import Actor, Role
from invoices.statuses import Action
from jobs import tasks
from jobs.registry import path_of
from services.changes.actions import apply_action
from services.changes.unit_of_work import UnitOfWork
from tests.builders import buttons, card, card_text, post, run_jobs, upload_data, uploaded
from tests.integration.helpers import approve_both, uploaded_data
from tests.sandboxes import ACCOUNTING, PROCUREMENT

SYSTEM = Actor(id="invoice-sync", roles=frozenset({Role.SYSTEM}))


def test_the_card_shows_the_invoice_its_first_lines_the_count_of_the_rest_and_the_document(
    web, slack_sandbox, slack_runtime
):
    data = upload_data(
        invoice={
            "lines": [
                {"product": f"Rose Variety {i}", "boxes": 1, "units": 100, "unit_price": "0.1000", "amount": "10.00"}
                for i in range(8)
            ],
            "charges": [],
            "total": "80.00",
        }
    )
    uploaded_data(web, data)
    run_jobs(slack_runtime)
    text = card_text(card(slack_sandbox, PROCUREMENT))
    for expected in (
        "Flores de la Sabana",
        "100482",
        "2026-11-20",
        "FE-20931",
        "USD 80.00",
        "Rose Variety 4",
        "and 3 more lines",
        "https://files.example.com/FE-20931.pdf",
        "Approvals:* none yet",
    ):
        assert expected in text
    assert "Rose Variety 5" not in text


def test_a_vendor_without_a_quickbooks_name_can_be_approved_but_the_card_offers_no_send(
    web, slack, slack_sandbox, slack_runtime
):
    data = upload_data()
    data["vendor"] = {"code": "NEWFARM", "name": "New Farm"}
    uploaded_data(web, data)
    approve_both(web, slack, slack_sandbox, slack_runtime)
    accounting = card(slack_sandbox, ACCOUNTING)
    assert "the vendor has no QB accounting name" in card_text(accounting)
    assert buttons(accounting) == []


def test_a_bill_number_over_21_characters_is_shown_as_a_blocking_problem(web, slack_sandbox, slack_runtime):
    uploaded(web, number="FE-2026-000000000931")
    run_jobs(slack_runtime)
    assert "the Bill number 100482-FE-2026-000000000931 has 27 characters; QuickBooks allows at most 21" in card_text(
        card(slack_sandbox, PROCUREMENT)
    )


def test_a_failed_sync_shows_its_error_with_retry_and_return_to_approved(web, slack, slack_sandbox, slack_runtime):
    invoice_id = uploaded(web)
    approve_both(web, slack, slack_sandbox, slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Send to External System", user="U0AP1"))
    with UnitOfWork(slack_runtime) as uow:  # publishes InvoiceChanged(invoice_id, audit_id) on commit
        apply_action(
            uow,
            invoice_id,
            Action.SYNC_FAILED,
            SYSTEM,
            reason="QuickBooks has no vendor named 'Flores de la Sabana SAS'",
        )
    run_jobs(slack_runtime)
    accounting = card(slack_sandbox, ACCOUNTING)
    assert buttons(accounting) == ["Retry", "Return to Approved"]
    assert "Last sync error:* QuickBooks has no vendor named" in card_text(accounting)
    assert slack_sandbox.thread(ACCOUNTING, accounting["ts"])[-1]["text"] == (
        ":red_circle: Sync failed: QuickBooks has no vendor named 'Flores de la Sabana SAS'"
    )
    post(web, slack.block_actions(accounting, "Retry", user="U0AP1"))
    assert run_jobs(slack_runtime) == [path_of(tasks.sync_invoice)]
    assert buttons(card(slack_sandbox, ACCOUNTING)) == ["Return to Approved"]


def test_a_new_revision_gets_a_new_procurement_card_and_the_old_one_points_to_it(
    web, slack, slack_sandbox, slack_runtime
):
    uploaded(web)
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Approve", user="U0BUYER1"))
    run_jobs(slack_runtime)
    uploaded(web, attachment_url="https://files.example.com/FE-20931-v2.pdf")
    run_jobs(slack_runtime)
    old, new = slack_sandbox.messages(PROCUREMENT)
    assert "replaced by revision 2" in old["text"] and buttons(old) == [] and "Replaced by revision 2" in card_text(old)
    assert buttons(new) == ["Approve", "Reject"] and "revision 2" in card_text(new)
    assert "New revision" in slack_sandbox.thread(PROCUREMENT, new["ts"])[0]["text"]
    assert buttons(card(slack_sandbox, ACCOUNTING)) == []


def test_vendor_text_cannot_ping_the_channel_or_forge_links(web, slack_sandbox, slack_runtime):
    data = upload_data()
    data["invoice"]["lines"][0]["product"] = "Rose <!channel> <https://evil.example|Pay here> & co"
    uploaded_data(web, data)
    run_jobs(slack_runtime)
    text = card_text(card(slack_sandbox, PROCUREMENT))
    assert "&lt;!channel&gt; &lt;https://evil.example|Pay here&gt; &amp; co" in text
    assert "<!channel>" not in text and "<https://evil.example" not in text
