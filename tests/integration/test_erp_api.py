"""The ERP's pull side and its own Send: the read API and event feed behind a token, and signed actions."""

import json

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from models import AuditEntry
from sandbox.erp import signed_headers
from tests.backends import BASE_SETTINGS, with_settings
from tests.builders import approved_invoice, stored, upload
from webhooks.app import create_app

TOKEN = "erp-read-token-0123456789"
ACTIONS = "/webhooks/vendor-invoices/actions"


@pytest.fixture
def api(runtime):
    """A client of the app with ERP_API_TOKEN set, and its runtime."""
    pointed = with_settings(runtime, erp_api_token=SecretStr(TOKEN))
    return create_app(pointed).test_client(), pointed


def get(client, path: str, token: str | None = TOKEN):
    return client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})


def act(client, msg_id: str | None = None, **body):
    data = {
        "action": "send",
        "vendor_code": "FLORSAB",
        "invoice_number": "FE-20931",
        "actor": {"id": "jdoe", "name": "Jane Doe"},
        "reason": None,
        **body,
    }
    raw = json.dumps(data).encode()
    return client.post(
        ACTIONS, data=raw, headers=signed_headers(BASE_SETTINGS["upload_webhook_secret"], raw, msg_id=msg_id)
    )


def test_without_a_token_configured_the_read_api_is_not_there(client, runtime):
    upload(runtime)
    answer = get(client, "/api/invoices/1")
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_a_missing_or_wrong_token_is_401_problem_and_says_nothing_else(api, header):
    client, runtime = api
    upload(runtime)
    answer = client.get("/api/invoices/1", headers={"Authorization": header} if header else {})
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert "FE-20931" not in answer.get_data(as_text=True)


def test_an_invoice_is_answered_as_it_is_now_by_id_and_by_its_numbers(api):
    client, runtime = api
    invoice_id = approved_invoice(runtime)
    by_id = get(client, f"/api/invoices/{invoice_id}").get_json()
    assert (by_id["id"], by_id["status"], by_id["status_name"], by_id["sequence"]) == (invoice_id, "A", "Approved", 3)
    assert get(client, "/api/invoices?vendor_code=FLORSAB&invoice_number=FE-20931").get_json() == by_id
    assert get(client, "/api/invoices?vendor_code=FLORSAB&po_number=100482").get_json() == by_id
    assert get(client, "/api/invoices/999").status_code == 404
    assert get(client, "/api/invoices?vendor_code=FLORSAB&invoice_number=NOPE").status_code == 404
    assert get(client, "/api/invoices?vendor_code=FLORSAB").status_code == 400


def test_the_feed_pages_every_event_oldest_first_and_an_empty_page_keeps_the_cursor(api):
    client, runtime = api
    approved_invoice(runtime)
    upload(runtime, invoice={"number": "FE-20932"})
    first = get(client, "/api/events?limit=2").get_json()
    rest = get(client, f"/api/events?after={first['next']}&limit=500").get_json()
    seen = first["events"] + rest["events"]
    assert [(e["data"]["invoice_number"], e["data"]["status"]) for e in seen] == [
        ("FE-20931", "AP"),
        ("FE-20931", "AA"),
        ("FE-20931", "A"),
        ("FE-20932", "AP"),
    ]
    assert [e["id"] for e in seen] == sorted({e["id"] for e in seen}, key=lambda i: int(i[4:]))
    assert all(e["type"] == "invoice.status_changed" and e["timestamp"].endswith("Z") for e in seen)
    empty = get(client, f"/api/events?after={rest['next']}").get_json()
    assert empty == {"events": [], "next": rest["next"]}
    assert get(client, "/api/events?limit=501").status_code == 400
    assert get(client, "/api/events?after=abc").status_code == 400


def test_what_no_column_can_hold_is_a_404_or_400_problem_not_a_server_error(api):
    # Found by the schemathesis run (test_openapi_fuzz.py): PostgreSQL refused these inside the query.
    client, runtime = api
    approved_invoice(runtime)
    for path in ("/api/invoices/2147483648", f"/api/invoices/{10**30}"):
        assert get(client, path).status_code == 404 and get(client, path).mimetype == "application/problem+json"
    far = "9" * 18
    assert get(client, f"/api/events?after={far}").get_json() == {"events": [], "next": far}
    for query in ("after=%C2%B2", f"after={'9' * 19}", "limit=%D9%A3"):
        assert get(client, f"/api/events?{query}").status_code == 400
    for query in ("vendor_code=FLOR%00SAB&invoice_number=FE-20931", f"vendor_code={'F' * 65}&po_number=100482"):
        assert get(client, f"/api/invoices?{query}").status_code == 400


def test_the_erp_sends_an_approved_invoice_as_its_user_through_the_cards_path(client, runtime):
    invoice_id = approved_invoice(runtime)
    answer = act(client)
    assert answer.status_code == 202, answer.get_json()
    assert (answer.get_json()["id"], answer.get_json()["status"]) == (invoice_id, "ES")
    assert stored(runtime, invoice_id).status == "ES"
    with runtime.sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.actor, entry.action, entry.outcome) == ("Jane Doe (ERP)", "send", "allowed")


def test_an_action_not_allowed_in_the_status_is_409_naming_it_and_changes_nothing(client, runtime):
    invoice_id = upload(runtime)
    answer = act(client)
    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["invoice_status"] == "AP" and "Pending Procurement Approval" in answer.get_json()["detail"]
    assert stored(runtime, invoice_id).status == "AP"


def test_the_same_webhook_id_twice_acts_once_and_answers_the_invoice_as_it_is(client, runtime):
    invoice_id = approved_invoice(runtime)
    assert act(client, msg_id="msg_send_once").status_code == 202
    again = act(client, msg_id="msg_send_once")
    assert again.status_code == 200 and again.get_json()["status"] == "ES"
    with runtime.sessions() as session:
        sends = session.scalars(
            select(AuditEntry).where(AuditEntry.invoice_id == invoice_id, AuditEntry.action == "send")
        ).all()
    assert len(sends) == 1


def test_unknown_invoices_malformed_bodies_and_bad_signatures_are_refused(client, runtime):
    approved_invoice(runtime)
    assert act(client, invoice_number="FE-99999").status_code == 404
    assert act(client, action="approve").status_code == 422
    missing_reason = act(client, action="return_to_approved")
    assert missing_reason.status_code == 422 and "reason" in json.dumps(missing_reason.get_json())
    raw = b'{"action": "send"}'
    forged = signed_headers("whsec_" + "bm90LXRoZS1lcnBzLXNlY3JldA==", raw)
    assert client.post(ACTIONS, data=raw, headers=forged).status_code == 401
