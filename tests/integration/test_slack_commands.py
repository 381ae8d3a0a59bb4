"""/invoice status, pending and help, answered at once and only to the caller."""

from tests.builders import post, run_jobs, uploaded
from tests.sandboxes import PROCUREMENT


def ask(web, slack, text, user="U0BUYER1") -> dict:
    headers, body = slack.slash_command(text, user=user, channel=PROCUREMENT)
    answer = web.post("/slack/events", data=body, headers=headers)
    assert answer.status_code == 200
    return answer.get_json()


def test_status_finds_an_invoice_by_invoice_po_or_bill_number(web, slack, slack_runtime):
    uploaded(web)
    for number in ("FE-20931", "fe-20931", "100482", "100482-fe-20931"):
        answer = ask(web, slack, f"/invoice status {number}")
        assert answer["response_type"] == "ephemeral"
        assert "*Invoice FE-20931*" in answer["text"] and "Pending Procurement Approval" in answer["text"]
        assert "Bill: 100482-FE-20931 (not in QuickBooks)" in answer["text"]


def test_status_lists_every_invoice_of_a_po(web, slack, slack_runtime):
    uploaded(web)
    uploaded(web, number="FE-20932")
    answer = ask(web, slack, "/invoice status 100482")["text"]
    assert answer.startswith("2 invoices match `100482`") and "FE-20931" in answer and "FE-20932" in answer


def test_status_of_an_unknown_number_says_so(web, slack, slack_runtime):
    assert "No invoice has" in ask(web, slack, "/invoice status NOPE-1")["text"]


def test_pending_lists_what_waits_for_the_callers_roles(web, slack, slack_sandbox, slack_runtime):
    uploaded(web)
    uploaded(web, number="FE-20932")
    run_jobs(slack_runtime)
    post(web, slack.block_actions(slack_sandbox.messages(PROCUREMENT)[0], "Approve", user="U0BUYER2"))
    assert ask(web, slack, "/invoice pending", user="U0BUYER1")["text"].startswith("1 invoice waiting for you")
    accounting = ask(web, slack, "/invoice pending", user="U0ACCT1")["text"]
    assert accounting.startswith("1 invoice waiting for you") and "Pending Accounting Approval" in accounting
    buyer_two = ask(web, slack, "/invoice pending", user="U0BUYER2")["text"]
    assert buyer_two.startswith("1 invoice waiting for you") and "FE-20932" in buyer_two
    assert "not on any approver" in ask(web, slack, "/invoice pending", user="U0OUTSIDE")["text"]


def test_help_and_anything_else_list_the_commands(web, slack, slack_runtime):
    for text in ("/invoice help", "/invoice", "/invoice frobnicate"):
        answer = ask(web, slack, text)["text"]
        assert "/invoice status <number>" in answer and "/invoice pending" in answer
