"""QuickBooks webhooks: signed deliveries in both formats, repeated and reordered, applied to invoices."""

import base64
import hashlib
import hmac
import json

import pytest
import requests
from redis import Redis
from sqlalchemy import func, select

from models import AuditEntry, WebhookDelivery
from sandbox.erp import example_upload
from services.reconcile.quickbooks_events import digest
from services.reconcile.sweeps import capture_changes
from services.runtime import Runtime
from tests.builders import resent_revision, sent_invoice, settle, stored
from tests.integration.helpers import deliver, synchronized
from tests.sandboxes import VERIFIER
from webhooks.app import create_app


@pytest.fixture
def qbo_client(qbo_runtime):
    """A test client of the app on the sandbox-pointed runtime."""
    return create_app(qbo_runtime).test_client()


def signed(body: bytes, token: str = VERIFIER) -> dict:
    return {
        "intuit-signature": base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest()).decode(),
        "content-type": "application/json",
    }


def test_a_bad_signature_is_refused_and_nothing_is_recorded(qbo_runtime, qbo_client):
    body = json.dumps(
        [
            {
                "specversion": "1.0",
                "id": "e1",
                "type": "qbo.bill.deleted.v1",
                "intuitaccountid": "1",
                "intuitentityid": "2",
            }
        ]
    ).encode()
    answer = qbo_client.post("/webhooks/quickbooks", data=body, headers=signed(body, "not-the-token"))
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    with qbo_runtime.sessions() as session:
        assert session.scalar(select(func.count(WebhookDelivery.id))) == 0


@pytest.mark.parametrize("fmt", ["legacy", "cloudevents"])
def test_in_either_format_a_deleted_bill_returns_the_invoice_to_approved(qbo_runtime, hooked, fmt):
    hooked.control("POST", "/webhooks", format=fmt)
    invoice_id, bill_id = synchronized(qbo_runtime, hooked)
    deliver(qbo_runtime, hooked)
    assert stored(qbo_runtime, invoice_id).bill_confirmed_at is not None
    hooked.control("DELETE", f"/realms/{hooked.realm}/bills/{bill_id}")
    deliver(qbo_runtime, hooked)
    invoice = stored(qbo_runtime, invoice_id)
    assert (invoice.status, invoice.bill_id) == ("A", None)


@pytest.mark.parametrize("fmt", ["legacy", "cloudevents"])
def test_a_paid_bill_makes_the_invoice_paid_once_through_repeats_and_reordering(qbo_runtime, hooked, fmt):
    hooked.control("POST", "/webhooks", format=fmt)
    invoice_id, bill_id = synchronized(qbo_runtime, hooked)
    hooked.control("POST", f"/realms/{hooked.realm}/bills/{bill_id}/pay")
    hooked.control("POST", "/webhooks/redeliver", last=3, repeat=2, reverse=True)
    deliver(qbo_runtime, hooked)
    assert stored(qbo_runtime, invoice_id).status == "P"
    with qbo_runtime.sessions() as session:
        paid = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "bill_paid")).all()
    assert paid == [f"Bill 100482-FE-20931 (QuickBooks id {bill_id}) was paid in QuickBooks"]


def test_a_bill_whose_create_answer_was_lost_is_completed_by_its_created_event(qbo_runtime, hooked):
    invoice_id = sent_invoice(qbo_runtime)
    hooked.fault(kind="lost", mode="abort", count=1, method="POST", path="/bill")
    with pytest.raises(AssertionError, match="did not settle in 1 attempts"):
        settle(qbo_runtime, invoice_id, attempts=1)
    assert "S" in deliver(qbo_runtime, hooked)
    invoice = stored(qbo_runtime, invoice_id)
    assert (invoice.status, invoice.bill_id) == ("S", hooked.bills()[0]["Id"])
    assert settle(qbo_runtime, invoice_id) == "skipped"
    assert len(hooked.bills()) == 1


def test_a_changed_bill_total_is_reported_once(qbo_runtime, hooked):
    invoice_id, bill_id = synchronized(qbo_runtime, hooked)
    bill = hooked.bills()[0]
    token = hooked.control("POST", f"/realms/{hooked.realm}/tokens")["access_token"]
    line = {**bill["Line"][0], "Amount": "400.00"}
    line["ItemBasedExpenseLineDetail"] = {"ItemRef": line["ItemBasedExpenseLineDetail"]["ItemRef"]}
    update = {"Id": bill_id, "SyncToken": bill["SyncToken"], "sparse": True, "Line": [line] + bill["Line"][1:]}
    answer = requests.post(
        f"{hooked.base}/v3/company/{hooked.realm}/bill",
        json=update,
        timeout=5,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    hooked.control("POST", "/webhooks/redeliver", last=1, repeat=2)
    deliver(qbo_runtime, hooked)
    with qbo_runtime.sessions() as session:
        drift = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "bill_total_drift")).all()
    assert drift == [
        f"Bill 100482-FE-20931 (QuickBooks id {bill_id}) was changed in QuickBooks: its total is "
        f"now 1109.50, the invoice total is 1093.50"
    ]
    assert stored(qbo_runtime, invoice_id).status == "S"


def test_events_of_a_company_we_are_not_connected_to_are_dropped_before_storing(qbo_runtime, qbo_client):
    body = json.dumps(
        {
            "eventNotifications": [
                {
                    "realmId": "999",
                    "dataChangeEvent": {
                        "entities": [
                            {
                                "name": "Bill",
                                "id": "1",
                                "operation": "Create",
                                "lastUpdated": "2026-11-20T18:11:12.345Z",
                            }
                        ]
                    },
                }
            ]
        }
    ).encode()
    answer = qbo_client.post("/webhooks/quickbooks", data=body, headers=signed(body))
    assert (answer.status_code, answer.get_json()) == (200, {"events": 1, "new": 0})
    with qbo_runtime.sessions() as session:
        assert session.scalar(select(func.count(WebhookDelivery.id))) == 0
    assert qbo_runtime.redis.keys("rq:job:*") == []


def test_an_event_about_a_bill_that_is_not_ours_is_ignored(qbo_runtime, qbo_client, sandbox):
    qbo_runtime.quickbooks()
    body = json.dumps(
        [
            {
                "specversion": "1.0",
                "id": "e-other",
                "type": "qbo.bill.created.v1",
                "intuitaccountid": sandbox.realm,
                "intuitentityid": "4040",
            }
        ]
    ).encode()
    assert qbo_client.post("/webhooks/quickbooks", data=body, headers=signed(body)).get_json()["new"] == 1
    assert deliver(qbo_runtime, sandbox) == ["ignored"]


def test_with_redis_down_the_event_is_still_recorded_and_answered_200(qbo_runtime, sandbox):
    qbo_runtime.quickbooks()
    down = Runtime(
        qbo_runtime.settings,
        qbo_runtime.engine,
        qbo_runtime.sessions,
        Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2),
        qbo_runtime.wiring,
    )
    body = json.dumps(
        [
            {
                "specversion": "1.0",
                "id": "e-down",
                "type": "qbo.bill.created.v1",
                "intuitaccountid": sandbox.realm,
                "intuitentityid": "2",
            }
        ]
    ).encode()
    answer = (
        create_app(down)
        .test_client()
        .post(
            "/webhooks/quickbooks", data=body, headers={**signed(body), "content-type": "application/cloudevents+json"}
        )
    )
    assert answer.status_code == 200
    with qbo_runtime.sessions() as session:
        assert session.scalars(select(WebhookDelivery.delivery_id)).all() == [digest("e-down")]


def test_the_bill_of_an_earlier_revision_seen_again_does_not_synchronize_the_resent_invoice(qbo_runtime, sandbox):
    invoice_id, old_bill = synchronized(qbo_runtime, sandbox)
    resent_revision(qbo_runtime, invoice_id, purchase_order={"number": "100483"})
    capture_changes(qbo_runtime)
    assert stored(qbo_runtime, invoice_id).status == "ES"
    assert settle(qbo_runtime, invoice_id) == "S"
    invoice = stored(qbo_runtime, invoice_id)
    assert invoice.bill_number == "100483-FE-20931" and invoice.bill_id != old_bill


def test_an_earlier_revisions_bill_with_the_same_number_seen_again_is_not_adopted(qbo_runtime, sandbox):
    invoice_id, old_bill = synchronized(qbo_runtime, sandbox)
    revised = example_upload()
    revised["invoice"]["charges"][0]["description"] = "Handling and cold chain"
    resent_revision(qbo_runtime, invoice_id, revised)
    capture_changes(qbo_runtime)
    assert stored(qbo_runtime, invoice_id).status == "ES"
