"""`POST /webhooks/vendor-invoices`: docs/interfaces.md, every answer and every bad-input case."""

import json
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from invoices.statuses import Action
from models import AuditEntry, Invoice, InvoiceRevision, Vendor
from models.database import transaction
from sandbox.erp import example_upload, signed_headers
from services.intake import uploads as intake
from services.read.view import approvals_of
from tests.builders import BUYER, act
from tests.integration.uploads import URL, count, post


def load(runtime, invoice_id):
    with runtime.sessions() as session:
        invoice = session.get(Invoice, invoice_id)
        return invoice, invoice.current, list(invoice.current.lines), list(invoice.current.charges)


def test_signed_example_upload_is_accepted_and_stored_whole(client, runtime):
    answer = post(client, runtime, example_upload())
    assert answer.status_code == 202
    assert answer.json == {"id": answer.json["id"], "status": "AP", "revision": 1}
    invoice, revision, lines, charges = load(runtime, answer.json["id"])
    assert (invoice.number, invoice.po_number, invoice.status) == ("FE-20931", "100482", "AP")
    assert invoice.vendor.qb_accounting_name == "Flores de la Sabana SAS"
    assert revision.total == Decimal("1093.50") and revision.ship_date.isoformat() == "2026-11-20"
    assert revision.po_class == "Miami"
    assert [(x.product, x.units, x.unit_price, x.amount) for x in lines] == [
        ("Rose Freedom 50cm", 1200, Decimal("0.3200"), Decimal("384.00")),
        ("Carnation Fancy White", 2500, Decimal("0.2700"), Decimal("675.00")),
    ]
    assert all(isinstance(x.amount, Decimal) for x in lines)
    assert [(c.description, c.amount) for c in charges] == [("Handling", Decimal("34.50"))]
    with runtime.sessions() as session:
        audit = session.scalars(select(AuditEntry)).all()
    assert [(a.action, a.outcome, a.to_status) for a in audit] == [("upload", "allowed", "AP")]


def test_identical_repeat_answers_200_and_changes_nothing(client, runtime):
    first = post(client, runtime, example_upload())
    again = post(client, runtime, example_upload())
    assert again.status_code == 200
    assert again.json == {"id": first.json["id"], "status": "AP", "revision": 1}
    assert count(runtime, InvoiceRevision) == 1 and count(runtime, AuditEntry) == 1


def test_changed_reupload_is_a_new_revision_and_resets_approvals(client, runtime):
    first = post(client, runtime, example_upload())
    assert act(runtime, first.json["id"], Action.APPROVE, BUYER).after.value == "AA"
    changed = example_upload()
    changed["invoice"]["charges"][0]["amount"] = "40.00"
    changed["invoice"]["total"] = "1099.00"
    answer = post(client, runtime, changed)
    assert answer.status_code == 202
    assert answer.json == {"id": first.json["id"], "status": "AP", "revision": 2}
    invoice, revision, _, charges = load(runtime, first.json["id"])
    assert revision.total == Decimal("1099.00") and charges[0].amount == Decimal("40.00")
    with transaction(runtime.sessions) as session:
        assert approvals_of(session, session.get(Invoice, invoice.id)).procurement == frozenset()


@pytest.mark.parametrize("status", ["ES", "S", "P"])
def test_changed_reupload_of_a_sent_invoice_is_refused_with_409(client, runtime, status):
    first = post(client, runtime, example_upload())
    with transaction(runtime.sessions) as session:
        session.get(Invoice, first.json["id"]).status = status
    changed = example_upload()
    changed["invoice"]["lines"][0]["product"] = "Rose Explorer 60cm"
    answer = post(client, runtime, changed)
    assert answer.status_code == 409
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 409 and answer.json["title"] == "Conflict"
    assert "FE-20931" in answer.json["detail"]
    assert count(runtime, InvoiceRevision) == 1
    with runtime.sessions() as session:
        refused = session.scalars(select(AuditEntry).where(AuditEntry.outcome == "refused")).all()
    assert len(refused) == 1 and refused[0].action == "revise"


@pytest.mark.parametrize("status", ["AA", "A", "R", "F"])
def test_changed_reupload_restarts_at_procurement_from(client, runtime, status):
    first = post(client, runtime, example_upload())
    with transaction(runtime.sessions) as session:
        session.get(Invoice, first.json["id"]).status = status
    changed = example_upload()
    changed["purchase_order"]["ship_date"] = "2026-11-21"
    answer = post(client, runtime, changed)
    assert (answer.status_code, answer.json["status"], answer.json["revision"]) == (202, "AP", 2)


def test_missing_qb_accounting_name_keeps_the_stored_one(client, runtime):
    post(client, runtime, example_upload())
    other = example_upload()
    del other["vendor"]["qb_accounting_name"]
    other["invoice"]["number"] = "FE-20932"
    assert post(client, runtime, other).status_code == 202
    with runtime.sessions() as session:
        assert session.scalars(select(Vendor.qb_accounting_name)).all() == ["Flores de la Sabana SAS"]


def _invalid(mutate):
    payload = example_upload()
    mutate(payload)
    return payload


BAD_INPUTS = {
    "float money": (_invalid(lambda p: p["invoice"]["lines"][0].update(amount=384.0)), {"#/invoice/lines/0/amount"}),
    "negative amount": (
        _invalid(lambda p: p["invoice"]["charges"][0].update(amount="-34.50")),
        {"#/invoice/charges/0/amount"},
    ),
    "negative units": (_invalid(lambda p: p["invoice"]["lines"][1].update(units=-5)), {"#/invoice/lines/1/units"}),
    "three decimals in an amount": (_invalid(lambda p: p["invoice"].update(total="1093.500")), {"#/invoice/total"}),
    "total off by a cent": (_invalid(lambda p: p["invoice"].update(total="1093.51")), {"#/invoice/total"}),
    "missing required fields": (
        _invalid(lambda p: (p["vendor"].pop("code"), p["invoice"].pop("number"), p["purchase_order"].pop("ship_date"))),
        {"#/vendor/code", "#/invoice/number", "#/purchase_order/ship_date"},
    ),
    "no lines": (_invalid(lambda p: p["invoice"].update(lines=[])), {"#/invoice/lines"}),
    "bad dates and currency": (
        _invalid(lambda p: p["invoice"].update(date="19/11/2026", currency="usd")),
        {"#/invoice/date", "#/invoice/currency"},
    ),
    "blank product": (_invalid(lambda p: p["invoice"]["lines"][0].update(product="  ")), {"#/invoice/lines/0/product"}),
    "not an object": (["vendor"], {"#/"}),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_invalid_upload_is_422_naming_every_offending_field(client, runtime, case):
    payload, pointers = BAD_INPUTS[case]
    answer = post(client, runtime, payload)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 422 and answer.json["title"] == "Unprocessable Content"
    assert {item["pointer"] for item in answer.json["errors"]} == pointers
    assert all(item["detail"] for item in answer.json["errors"])
    assert count(runtime, Invoice) == 0 and count(runtime, Vendor) == 0


def test_body_that_is_not_json_is_400(client, runtime):
    answer = post(client, runtime, b"{not json")
    assert answer.status_code == 400 and answer.json["title"] == "Bad Request"


def test_wrong_signature_is_401(client, runtime):
    body = json.dumps(example_upload()).encode()
    headers = signed_headers("whsec_" + "b3RoZXItc2VjcmV0", body)
    answer = client.post(URL, data=body, headers=headers)
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert count(runtime, Invoice) == 0


def test_body_changed_after_signing_is_401(client, runtime):
    body = json.dumps(example_upload()).encode()
    headers = signed_headers(runtime.settings.upload_webhook_secret.get_secret_value(), body)
    answer = client.post(URL, data=body.replace(b"1093.50", b"9093.50"), headers=headers)
    assert answer.status_code == 401


def test_stale_timestamp_is_401(client, runtime):
    answer = post(client, runtime, example_upload(), at=datetime.now(UTC) - timedelta(minutes=6))
    assert answer.status_code == 401 and "too old" in answer.json["detail"]


def test_missing_signature_headers_are_401(client, runtime):
    answer = client.post(URL, data=json.dumps(example_upload()), headers={"content-type": "application/json"})
    assert answer.status_code == 401


def test_garbled_signature_header_is_401_not_500(client, runtime):
    body = json.dumps(example_upload()).encode()
    headers = signed_headers(runtime.settings.upload_webhook_secret.get_secret_value(), body)
    headers["webhook-signature"] = "v1"
    assert client.post(URL, data=body, headers=headers).status_code == 401


def test_body_over_one_mebibyte_is_413(client, runtime):
    payload = example_upload()
    payload["padding"] = "x" * (1024 * 1024)
    answer = post(client, runtime, payload)
    assert answer.status_code == 413 and answer.mimetype == "application/problem+json"
    assert count(runtime, Invoice) == 0


def test_racing_first_uploads_of_one_invoice_store_it_once(app, runtime, monkeypatch):

    # Both requests must have looked and found nothing before either inserts, which is the race to lose.
    both_looked, create = threading.Barrier(2), intake._create

    def create_after_both_looked(*args, **kwargs):
        try:
            both_looked.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass  # SQLite serializes writers, so the second request only looks after the first commits
        return create(*args, **kwargs)

    monkeypatch.setattr(intake, "_create", create_after_both_looked)
    answers = [None, None]

    def upload(index):
        answers[index] = post(app.test_client(), runtime, example_upload())

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 202]
    assert answers[0].json == answers[1].json
    assert answers[0].json["revision"] == 1
    assert count(runtime, Invoice) == 1 and count(runtime, InvoiceRevision) == 1 and count(runtime, Vendor) == 1
    assert count(runtime, AuditEntry) == 1


def test_a_replayed_webhook_id_answers_the_invoice_as_it_is_now_and_changes_nothing(client, runtime):
    first = post(client, runtime, example_upload(), msg_id="msg_first")
    changed = example_upload()
    changed["invoice"]["charges"][0]["amount"] = "40.00"
    changed["invoice"]["total"] = "1099.00"
    assert post(client, runtime, changed, msg_id="msg_second").json["revision"] == 2
    replay = post(client, runtime, example_upload(), msg_id="msg_first")
    assert replay.status_code == 200
    assert replay.json == {"id": first.json["id"], "status": "AP", "revision": 2}
    _, revision, _, _ = load(runtime, first.json["id"])
    assert revision.total == Decimal("1099.00") and count(runtime, InvoiceRevision) == 2


def test_a_webhook_id_longer_than_any_column_is_still_one_delivery(client, runtime):
    long_id = "msg_" + "x" * 500
    assert post(client, runtime, example_upload(), msg_id=long_id).status_code == 202
    changed = example_upload()
    changed["invoice"]["lines"][0]["product"] = "Rose Explorer 60cm"
    again = post(client, runtime, changed, msg_id=long_id)
    assert (again.status_code, again.json["revision"]) == (200, 1)
