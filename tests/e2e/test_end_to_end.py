"""The whole product path: ERP upload → Slack cards and clicks → QuickBooks Bill → paid, through real workers.

Both sandboxes stand in for Slack and QuickBooks; the app is served over HTTP so the QuickBooks sandbox
can deliver its signed webhooks to it; jobs run on a real RQ worker.
"""

import json
from decimal import Decimal

import pytest
import requests

from jobs import tasks
from models import WebhookDelivery
from sandbox.erp import example_upload, signed_headers
from sandbox.quickbooks import serve_in_thread
from services.runtime import Runtime
from tests.backends import BASE_SETTINGS
from tests.builders import buttons, card, stored, work
from tests.e2e.helpers import wait
from tests.sandboxes import ACCOUNTING, PROCUREMENT, VERIFIER


@pytest.fixture
def product(runtime, sandbox, slack_sandbox):
    """The app on a runtime pointed at both sandboxes, served over HTTP; QuickBooks webhooks go to it."""
    from webhooks.app import create_app

    pointed = sandbox.point(runtime, slack_api_url=slack_sandbox.api_url)
    tasks.configure(pointed)
    base, stop = serve_in_thread(create_app(pointed))
    sandbox.control(
        "PUT", "/webhooks", url=f"{base}/webhooks/quickbooks", format="cloudevents", verifier_token=VERIFIER
    )
    yield pointed, base
    stop()
    tasks.configure(runtime)


def click(base: str, request) -> None:
    headers, body = request
    answer = requests.post(f"{base}/slack/events", data=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text


def wait_for_deliveries(runtime: Runtime, count: int) -> None:
    """Wait until `count` QuickBooks webhook deliveries have arrived."""

    def delivered() -> int:
        with runtime.sessions() as session:
            return session.query(WebhookDelivery).count()

    wait(lambda: delivered() >= count, f"{count} QuickBooks webhook deliveries arriving", 10)


def test_an_uploaded_invoice_is_approved_in_slack_synchronized_as_one_bill_and_reported_paid(
    product, sandbox, slack_sandbox, slack
):
    runtime, base = product
    body = json.dumps(example_upload()).encode()
    answer = requests.post(
        f"{base}/webhooks/vendor-invoices",
        data=body,
        timeout=10,
        headers=signed_headers(BASE_SETTINGS["upload_webhook_secret"], body),
    )
    assert answer.status_code == 202
    invoice_id = answer.json()["id"]
    work(runtime)
    assert buttons(card(slack_sandbox, PROCUREMENT)) == ["Approve", "Reject"]

    click(base, slack.block_actions(card(slack_sandbox, PROCUREMENT), "Approve", user="U0BUYER1"))
    work(runtime)
    click(base, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Approve", user="U0ACCT1"))
    work(runtime)
    assert buttons(card(slack_sandbox, ACCOUNTING)) == ["Send to External System"]
    click(base, slack.block_actions(card(slack_sandbox, ACCOUNTING), "Send to External System", user="U0AP1"))
    work(runtime)

    invoice = stored(runtime, invoice_id)
    bills = sandbox.bills()
    assert invoice.status == "S" and len(bills) == 1
    assert (bills[0]["Id"], bills[0]["DocNumber"], Decimal(str(bills[0]["TotalAmt"]))) == (
        invoice.bill_id,
        "100482-FE-20931",
        Decimal("1093.50"),
    )
    accounting = card(slack_sandbox, ACCOUNTING)
    assert "Synchronized" in json.dumps(accounting["blocks"])
    thread = [m["text"] for m in slack_sandbox.thread(ACCOUNTING, accounting["ts"])]
    # The example's file is on files.example.com, out of this machine's reach: whether that is told yet depends
    # on the network (no DNS: at once; a refused connection: after its retries), and the invoice stays S either way.
    told = [line for line in thread if not line.startswith(":warning: Attachment not added")]
    assert told[-2:] == [
        ":outbox_tray: Sent to QuickBooks by <@U0AP1>.",
        ":large_green_circle: Synchronized as Bill 100482-FE-20931.",
    ]

    wait_for_deliveries(runtime, 1)
    work(runtime)
    assert stored(runtime, invoice_id).bill_confirmed_at is not None
    sandbox.control("POST", f"/realms/{sandbox.realm}/bills/{invoice.bill_id}/pay")
    wait_for_deliveries(runtime, 3)
    work(runtime)
    assert stored(runtime, invoice_id).status == "P"
    thread = [m["text"] for m in slack_sandbox.thread(ACCOUNTING, accounting["ts"])]
    assert thread[-1] == ":moneybag: Bill 100482-FE-20931 was paid in QuickBooks."
    assert len(sandbox.bills()) == 1
