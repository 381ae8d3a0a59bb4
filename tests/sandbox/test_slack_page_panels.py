"""The Slack sandbox page's ERP and QuickBooks panels (issue 10, point 5), and the QuickBooks control API's index."""

from __future__ import annotations

import json
from decimal import Decimal
from html import unescape

import pytest
import requests
from flask import Flask, Response, request
from standardwebhooks.webhooks import Webhook

from sandbox.erp import CLOSED_PERIOD_SHIP_DATE, LONG_INVOICE_NUMBER
from sandbox.slack import SlackState, create_app, serve_in_thread
from sandbox.slack.panels import Neighbours
from tests.sandbox.quickbooks_client import make_bill

SECRET = "whsec_cGFuZWwtdGVzdC11cGxvYWQtc2VjcmV0LXZhbHVl"
FETCHED = {"X-Requested-With": "fetch"}


@pytest.fixture
def erp(monkeypatch):
    """A stand-in app at the upload URL: verifies the Standard Webhooks signature, records, answers as told."""
    monkeypatch.setenv("UPLOAD_WEBHOOK_SECRET", SECRET)
    received: list[dict] = []
    answers: list[tuple[int, dict]] = []
    app = Flask("stand-in-app")

    @app.post("/webhooks/vendor-invoices")
    def upload():
        Webhook(SECRET).verify(request.get_data(), dict(request.headers))
        received.append(json.loads(request.get_data()))
        status, body = answers.pop(0) if answers else (202, {"id": len(received), "status": "AP", "revision": 1})
        kind = "application/problem+json" if status >= 400 else "application/json"
        return Response(json.dumps(body, sort_keys=True), status=status, mimetype=kind)

    base, stop = serve_in_thread(app)
    page = create_app(
        SlackState(), app_url="http://127.0.0.1:9/slack/events", signing_secret="s", neighbours=Neighbours(erp_url=base)
    ).test_client()
    yield page, received, answers
    stop()


def panel(page, name: str, user: str = "U0BUYER1") -> str:
    answer = page.get("/_sandbox/page/regions", query_string={"as": user})
    return answer.get_json()["regions"][f"panel-{name}"]


def upload(page, variation: str):
    return page.post("/_sandbox/erp/upload", data={"user": "U0BUYER1", "variation": variation}, headers=FETCHED)


@pytest.mark.parametrize(
    "variation, check",
    [
        ("example", lambda sent: sent["invoice"]["number"] == "FE-20931" and sent["vendor"]["qb_accounting_name"]),
        ("new-number", lambda sent: sent["invoice"]["number"] not in ("FE-20931", "")),
        (
            "no-qb-name",
            lambda sent: "qb_accounting_name" not in sent["vendor"] and sent["invoice"]["number"] != "FE-20931",
        ),
        ("long-bill-number", lambda sent: sent["invoice"]["number"] == LONG_INVOICE_NUMBER),
        ("closed-period", lambda sent: sent["purchase_order"]["ship_date"] == CLOSED_PERIOD_SHIP_DATE),
    ],
)
def test_one_click_uploads_the_variation_signed_in_the_sandbox_and_the_panel_shows_the_answer(erp, variation, check):
    page, received, _ = erp
    assert upload(page, variation).status_code == 204
    [sent] = received
    assert check(sent), sent
    shown = panel(page, "erp")
    assert f'data-upload-status="202" data-number="{sent["invoice"]["number"]}"' in shown
    assert "<b>202 Accepted</b>" in shown and "id 1, revision 1, status AP" in shown


def test_a_changed_total_sends_the_last_upload_again_with_its_total_changed_and_its_lines_adding_up(erp):
    page, received, _ = erp
    upload(page, "new-number")
    upload(page, "changed-total")
    first, changed = received
    assert changed["invoice"]["number"] == first["invoice"]["number"]
    assert Decimal(changed["invoice"]["total"]) == Decimal(first["invoice"]["total"]) + Decimal("100.00")
    parts = changed["invoice"]["lines"] + changed["invoice"]["charges"]
    assert sum(Decimal(p["amount"]) for p in parts) == Decimal(changed["invoice"]["total"])


def test_a_refused_upload_shows_its_status_and_the_problem_detail_and_the_secret_never_reaches_the_page(erp):
    page, _, answers = erp
    answers.append(
        (
            422,
            {
                "type": "about:blank",
                "title": "Unprocessable Content",
                "status": 422,
                "detail": "The upload has invalid fields.",
                "errors": [{"pointer": "#/invoice/total", "detail": "the lines add up to 1059.00"}],
            },
        )
    )
    upload(page, "example")
    shown = panel(page, "erp")
    assert "<b>422 Unprocessable Content</b>" in shown and 'class="answer refused"' in shown
    assert "The upload has invalid fields. — #/invoice/total the lines add up to 1059.00" in shown
    whole = page.get("/?as=U0BUYER1").get_data(as_text=True)
    assert 'id="panel-erp"' in whole and SECRET not in whole and SECRET.removeprefix("whsec_") not in whole


def test_an_app_that_does_not_answer_is_said_in_the_panel():
    page = create_app(SlackState(), neighbours=Neighbours(erp_url="http://127.0.0.1:9")).test_client()
    upload(page, "example")
    assert "the app did not answer (ConnectionError); is it running?" in panel(page, "erp")


def test_without_neighbours_the_page_has_neither_panel():
    page = create_app(SlackState()).test_client().get("/?as=U0BUYER1").get_data(as_text=True)
    assert 'id="panel-erp"' not in page and 'id="panel-quickbooks"' not in page and 'id="panel-requests"' in page


@pytest.fixture
def books(sandbox, qb):
    """A Bill in the QuickBooks sandbox, and a page whose QuickBooks panel shows that sandbox."""
    bill = make_bill(qb).save(qb=qb)
    page = create_app(SlackState(), neighbours=Neighbours(quickbooks_url=sandbox.base)).test_client()
    return page, sandbox, bill.Id


def act(page, action: str, **form: str):
    answer = page.post(f"/_sandbox/quickbooks/{action}", data={"user": "U0BUYER1", **form}, headers=FETCHED)
    assert answer.status_code == 204


def events(sandbox) -> list[tuple[str, str]]:
    return [(e["entity"], e["operation"]) for e in sandbox.control("GET", "/webhooks/events")["events"]]


def test_the_quickbooks_panel_shows_each_bill_with_its_number_vendor_date_total_balance_file_and_json_link(books):
    page, sandbox, bill_id = books
    shown = panel(page, "quickbooks")
    row = shown[shown.index(f'data-bill-id="{bill_id}"') :]
    for cell in (
        "<td>100482-FE-20931</td>",
        "<td>Flores de la Sabana SAS</td>",
        "<td>2026-11-20</td>",
        '<td class="num">1,093.50</td>',
        '<td class="num" data-field="balance">1,093.50</td>',
        ">none</td>",
    ):
        assert cell in row, cell
    link = f"{sandbox.base}/_sandbox/realms/default/bills/{bill_id}"
    assert f'href="{link}"' in row
    raw = requests.get(link, timeout=5)
    assert raw.status_code == 200 and raw.json()["Bill"]["DocNumber"] == "100482-FE-20931"


def test_pay_part_void_pay_and_delete_go_through_the_control_api_and_fire_quickbooks_webhooks(books):
    page, sandbox, bill_id = books
    before = len(events(sandbox))
    act(page, "pay-part", bill_id=bill_id, amount="500.00", doc_number="100482-FE-20931")
    assert sandbox.bills()[0]["Balance"] == 593.5
    assert events(sandbox)[before:] == [("BillPayment", "Create"), ("Bill", "Update")]
    shown = panel(page, "quickbooks")
    assert "of Bill 100482-FE-20931; QuickBooks sent its webhooks." in shown and "593.50" in shown
    [payment] = sandbox.control("GET", f"/realms/{sandbox.realm}/bills")["payments"]
    assert f'name="payment_id" value="{payment["Id"]}" data-qb-action="void"' in shown

    act(page, "void", bill_id=bill_id, payment_id=payment["Id"])
    assert sandbox.bills()[0]["Balance"] == 1093.5 and events(sandbox)[-2:] == [
        ("BillPayment", "Void"),
        ("Bill", "Update"),
    ]
    act(page, "pay", bill_id=bill_id)
    assert sandbox.bills()[0]["Balance"] == 0 and "Paid in full" in panel(page, "quickbooks")
    act(page, "delete", bill_id=bill_id, doc_number="100482-FE-20931")
    assert sandbox.bills() == [] and events(sandbox)[-1] == ("Bill", "Delete")
    assert "No Bills yet" in panel(page, "quickbooks") and "Bill 100482-FE-20931 deleted" in panel(page, "quickbooks")


def test_a_payment_quickbooks_refuses_or_a_bad_amount_is_said_and_changes_nothing(books):
    page, sandbox, bill_id = books
    act(page, "pay-part", bill_id=bill_id, amount="5000.00")
    said = unescape(panel(page, "quickbooks"))
    assert (
        "QuickBooks refused (400): Business Validation Error: the payment of 5000.00 exceeds the Bill's open "
        "balance 1093.50 (or is not positive) (code 6000)" in said
    )
    act(page, "pay-part", bill_id=bill_id, amount="half")
    assert "'half' is not an amount such as 250.00; nothing was paid." in unescape(panel(page, "quickbooks"))
    assert sandbox.bills()[0]["Balance"] == 1093.5


def test_the_books_close_date_is_set_and_cleared_from_the_panel(books):
    page, sandbox, _ = books
    act(page, "close-books", book_close_date="2025-12-31")
    assert sandbox.control("GET", f"/realms/{sandbox.realm}/preferences")["book_close_date"] == "2025-12-31"
    assert 'value="2025-12-31"' in panel(page, "quickbooks")
    act(page, "close-books", book_close_date="")
    assert sandbox.control("GET", f"/realms/{sandbox.realm}/preferences")["book_close_date"] is None


def test_an_unreachable_quickbooks_is_said_in_its_panel():
    page = create_app(SlackState(), neighbours=Neighbours(quickbooks_url="http://127.0.0.1:9")).test_client()
    assert "the local QuickBooks at http://127.0.0.1:9 did not answer (ConnectionError)" in panel(page, "quickbooks")


def test_the_control_api_link_the_quickbooks_sandbox_prints_lists_its_routes(sandbox):
    answer = requests.get(f"{sandbox.base}/_sandbox/", timeout=5)
    assert answer.status_code == 200
    routes = {route["path"]: route for route in answer.json()["routes"]}
    assert routes["/_sandbox/realms/<realm_id>/bills/<bill_id>/pay"]["methods"] == ["POST"]
    assert routes["/_sandbox/realms/<realm_id>/bills"]["doc"].startswith("Every live Bill")
