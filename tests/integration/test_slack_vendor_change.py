"""A vendor's new QB accounting name reopens its approved invoices, and their cards' threads say why (issue 8, 1)."""

from tests.builders import buttons, card, card_text, post, post_upload, run_jobs, upload_data
from tests.sandboxes import ACCOUNTING, PROCUREMENT

NEW_PAYEE = "Flores de la Sabana S.A.S."


def test_a_vendor_level_name_change_reopens_an_approved_invoice_and_its_thread_says_so(
    web, slack, slack_sandbox, slack_runtime
):
    assert post_upload(web, upload_data(invoice={"number": "FE-1"})).status_code == 202
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Approve", user="U0BUYER1"))
    run_jobs(slack_runtime)
    post(web, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Approve", user="U0ACCT1"))
    run_jobs(slack_runtime)
    assert "Send to External System" in buttons(card(slack_sandbox, ACCOUNTING))

    other = upload_data(invoice={"number": "FE-2"}, vendor={"qb_accounting_name": NEW_PAYEE})
    assert post_upload(web, other).status_code == 202
    run_jobs(slack_runtime)

    # FE-2's card comes first: the card of the invoice its vendor change revised waits on the bulk queue.
    replaced, new_invoice, reopened = slack_sandbox.messages(PROCUREMENT)
    assert "replaced by revision 2" in replaced["text"]
    assert buttons(reopened) == ["Approve", "Reject"]
    assert f"*Paid to in QuickBooks*\\n{NEW_PAYEE}" in card_text(reopened)
    (line,) = [m["text"] for m in slack_sandbox.thread(PROCUREMENT, reopened["ts"])]
    assert (
        "the QB accounting name of vendor FLORSAB changed from 'Flores de la Sabana SAS' to "
        f"'{NEW_PAYEE}' with invoice FE-2; approvals reset" in line
    )
    assert "Send to External System" not in buttons(card(slack_sandbox, ACCOUNTING))
    assert buttons(new_invoice) == ["Approve", "Reject"]
