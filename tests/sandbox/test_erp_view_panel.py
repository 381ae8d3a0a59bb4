"""The ERP panel as the ERP's own view (issue 15, item 7): statuses as the ERP was told them, Send, down switch."""

from __future__ import annotations

import json
import re
import time
from html import unescape

import pytest
from flask import Flask, Response, request
from standardwebhooks.webhooks import Webhook

from erp.events import ErpEvents
from sandbox.slack import SlackState, create_app, panels_erp_view, serve_in_thread
from sandbox.slack.panels import Neighbours
from services.erp.delivery import body_bytes
from tests.sandbox.helpers import event
from tests.sandboxes import ERP_SECRET, ErpHost

UPLOAD_SECRET = "whsec_cGFuZWwtdGVzdC11cGxvYWQtc2VjcmV0LXZhbHVl"
FETCHED = {"X-Requested-With": "fetch"}


@pytest.fixture(autouse=True)
def uncached(monkeypatch):
    """Every read of the panel reads the local ERP (the page's one-second cache would hide a change just made)."""
    monkeypatch.setattr(panels_erp_view, "FRESH_FOR", 0)


@pytest.fixture
def host():
    running = ErpHost()
    yield running
    running.stop()


@pytest.fixture
def push(host):
    """Deliver an event to the local ERP the way the worker does (erp/events.py, signed with ERP_EVENTS_SECRET)."""
    sender, ids = ErpEvents(host.url, ERP_SECRET), iter(range(1, 1000))
    return lambda body: sender.deliver(next(ids), body_bytes(body))


@pytest.fixture
def app_side(monkeypatch):
    """A stand-in app at the actions URL: verifies the upload secret's signature, records, answers as told."""
    monkeypatch.setenv("UPLOAD_WEBHOOK_SECRET", UPLOAD_SECRET)
    received: list[dict] = []
    answers: list[tuple[int, dict]] = []
    app = Flask("stand-in-app")

    @app.post("/webhooks/vendor-invoices/actions")
    def act():
        Webhook(UPLOAD_SECRET).verify(request.get_data(), dict(request.headers))
        received.append(json.loads(request.get_data()))
        status, body = answers.pop(0) if answers else (202, {**event(1, 3, "ES", "FE-20931")["data"]})
        kind = "application/problem+json" if status >= 400 else "application/json"
        return Response(json.dumps(body), status=status, mimetype=kind)

    base, stop = serve_in_thread(app)
    yield base, received, answers
    stop()


@pytest.fixture
def page(host, app_side):
    neighbours = Neighbours(erp_url=app_side[0], erp_host_url=host.base)
    return create_app(
        SlackState(), app_url="http://127.0.0.1:9/slack/events", signing_secret="s", neighbours=neighbours
    )


def panel(page) -> str:
    """The ERP panel as the page's next poll gets it."""
    answer = page.test_client().get("/_sandbox/page/regions", query_string={"as": "U0BUYER1"})
    return answer.get_json()["regions"]["panel-erp"]


def rows(shown: str) -> dict[str, tuple[str, str]]:
    """Invoice number: (status code, status in words) of each row of the told list."""
    found = re.findall(r'data-erp-invoice="([^"]+)" data-status="([^"]+)">.*?data-field="status">([^<]*)<', shown)
    return {number: (code, unescape(words)) for number, code, words in found}


def test_the_view_lists_each_invoice_with_the_status_the_erp_was_told_in_words(page, push):
    assert "Told of nothing yet" in panel(page)
    push(event(1, 1, "AP", "FE-20931"))
    push(event(2, 1, "AP", "FE-31000"))
    push(event(1, 4, "S", "FE-20931"))
    push(event(1, 3, "ES", "FE-20931"))  # late: the ERP's copy never goes back
    assert rows(panel(page)) == {
        "FE-20931": ("S", "Synchronized"),
        "FE-31000": ("AP", "Pending Procurement Approval"),
    }


def test_send_to_external_system_is_offered_only_for_invoices_the_erp_was_told_are_approved(page, push):
    push(event(1, 3, "A", "FE-20931"))
    push(event(2, 1, "AP", "FE-31000"))
    push(event(3, 5, "S", "FE-42000"))
    shown = panel(page)
    assert re.findall(r'data-erp-send="([^"]+)"', shown) == ["FE-20931"]
    assert rows(shown)["FE-20931"] == ("A", "Approved")


def test_send_calls_the_apps_actions_endpoint_signed_as_the_erp_and_shows_the_202(page, push, app_side):
    push(event(1, 3, "A", "FE-20931"))
    form = {"user": "U0BUYER1", "vendor_code": "FLORSAB", "invoice_number": "FE-20931"}
    assert page.test_client().post("/_sandbox/erp/send", data=form, headers=FETCHED).status_code == 204
    _, received, _ = app_side
    assert received == [
        {
            "action": "send",
            "vendor_code": "FLORSAB",
            "invoice_number": "FE-20931",
            "actor": {"id": "jdoe", "name": "Jane Doe"},
            "reason": None,
        }
    ]
    shown = panel(page)
    assert 'data-upload-status="202" data-number="FE-20931"' in shown and "<b>202 Accepted</b>" in shown
    assert "now Sent to External System in invoice-sync" in shown
    assert UPLOAD_SECRET not in page.test_client().get("/?as=U0BUYER1").get_data(as_text=True)


def test_a_refused_send_shows_the_conflicts_detail(page, push, app_side):
    push(event(1, 3, "A", "FE-20931"))
    detail = "FE-20931 is Sent to External System; only an Approved invoice can be sent."
    app_side[2].append((409, {"title": "Conflict", "status": 409, "detail": detail, "invoice_status": "ES"}))
    form = {"user": "U0BUYER1", "vendor_code": "FLORSAB", "invoice_number": "FE-20931"}
    page.test_client().post("/_sandbox/erp/send", data=form, headers=FETCHED)
    shown = panel(page)
    assert "<b>409 Conflict</b>" in shown and 'class="answer refused"' in shown and detail in unescape(shown)


def test_the_down_switch_makes_the_next_deliveries_fail_until_the_erp_is_back_up(page, push, host):
    push(event(1, 1, "AP", "FE-20931"))
    switch = page.test_client().post("/_sandbox/erp/down", data={"user": "U0BUYER1", "seconds": "60"}, headers=FETCHED)
    assert switch.status_code == 204
    first = push(event(1, 2, "A", "FE-20931"))
    second = push(event(1, 2, "A", "FE-20931"))
    for answer in (first, second):
        # The sender waits at least as long as asked (services/erp/delivery.py), so its retry comes after the outage.
        assert answer.status == 503 and answer.retry_after is not None and 60 <= answer.retry_after <= 62, answer
    assert rows(panel(page))["FE-20931"][0] == "AP"
    shown = panel(page)
    assert "The ERP answers 503 until" in shown and "2 delivery attempt(s) refused" in shown
    assert 'data-erp-down="off"' in shown and 'data-erp-down="on"' not in shown
    page.test_client().post("/_sandbox/erp/down", data={"user": "U0BUYER1", "seconds": "0"}, headers=FETCHED)
    assert push(event(1, 2, "A", "FE-20931")).status == 204
    shown = panel(page)
    assert rows(shown)["FE-20931"] == ("A", "Approved") and 'data-erp-down="on"' in shown
    assert host.control("GET", "/down") == {"down": False, "seconds_left": 0, "back_at": None, "refused": 2}


def test_a_short_outage_ends_by_itself(host, push):
    host.control("POST", "/down", seconds=0.5)
    assert push(event(1, 1, "AP", "FE-20931")).status == 503
    deadline = time.monotonic() + 5
    while host.control("GET", "/down")["down"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert push(event(1, 1, "AP", "FE-20931")).status == 204


def test_a_local_erp_that_does_not_answer_is_said_in_the_panel(app_side):
    neighbours = Neighbours(erp_url=app_side[0], erp_host_url="http://127.0.0.1:9")
    page = create_app(SlackState(), neighbours=neighbours)
    assert "the local ERP at http://127.0.0.1:9 did not answer (ConnectionError)" in panel(page)


def test_without_a_local_erp_the_panel_only_uploads_and_has_no_switch(app_side):
    page = create_app(SlackState(), neighbours=Neighbours(erp_url=app_side[0]))
    shown = panel(page)
    assert "As the ERP was told" not in shown and "data-erp-down" not in shown
    answer = page.test_client().post("/_sandbox/erp/down", data={"user": "U0BUYER1", "seconds": "60"})
    assert answer.status_code == 404
