"""What an approval approves includes where the money goes (issue 8, findings 1, 2 and 4), on both databases."""

import json
import threading

import pytest
from sqlalchemy import select

from invoices.statuses import Action
from models import AuditEntry, Invoice, InvoiceRevision, Vendor
from models.database import transaction
from sandbox.erp import signed_headers
from services.sync.outcome import facts_of
from tests.builders import AP, BUYER, act, approve, approved_invoice, sent_invoice, stored, upload, upload_data
from tests.integration.uploads import URL, count, post

NEW_PAYEE = "Flores de la Sabana S.A.S."


def renamed(name: str = NEW_PAYEE, **invoice) -> dict:
    """The example upload paying QuickBooks vendor `name` (and with `invoice` changes)."""
    data = upload_data(vendor={"qb_accounting_name": name})
    data["invoice"].update(invoice)
    return data


def vendor_row(runtime) -> Vendor:
    with runtime.sessions() as session:
        return session.scalars(select(Vendor)).one()


def audit(runtime, action: str) -> list[AuditEntry]:
    with runtime.sessions() as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_a_new_qb_accounting_name_on_an_approved_invoice_is_a_new_revision_that_resets_approvals(client, runtime):
    invoice_id = approved_invoice(runtime)
    answer = post(client, runtime, renamed())
    assert (answer.status_code, answer.json["status"], answer.json["revision"]) == (202, "AP", 2)
    invoice = stored(runtime, invoice_id)
    assert invoice.current.qb_accounting_name == NEW_PAYEE
    revised = audit(runtime, Action.REVISE)[-1]
    assert f"pays '{NEW_PAYEE}' instead of 'Flores de la Sabana SAS'" in revised.detail
    (changed,) = audit(runtime, "vendor_change")
    assert changed.detail == f"vendor FLORSAB: QB accounting name 'Flores de la Sabana SAS' → '{NEW_PAYEE}'"


def test_an_invoice_approved_without_a_qb_accounting_name_must_be_approved_again_once_it_gets_one(client, runtime):
    data = upload_data()
    del data["vendor"]["qb_accounting_name"]
    invoice_id = approved_invoice(runtime, data)
    answer = post(client, runtime, renamed())
    assert (answer.status_code, answer.json["status"]) == (202, "AP")
    assert stored(runtime, invoice_id).current.qb_accounting_name == NEW_PAYEE


@pytest.mark.parametrize("status", ["ES", "S", "P"])
def test_a_new_qb_accounting_name_is_refused_once_the_invoice_was_sent_and_nothing_of_it_is_stored(
    client, runtime, status
):
    invoice_id = upload(runtime)
    with transaction(runtime.sessions) as session:
        session.get(Invoice, invoice_id).status = status
    data = renamed()
    data["vendor"]["name"] = "Someone Else's Farm"
    answer = post(client, runtime, data)
    assert answer.status_code == 409 and answer.json["invoice_status"] == status
    vendor = vendor_row(runtime)
    assert (vendor.name, vendor.qb_accounting_name) == ("Flores de la Sabana", "Flores de la Sabana SAS")
    assert count(runtime, InvoiceRevision) == 1
    assert [e.outcome for e in audit(runtime, Action.REVISE)] == ["refused"]
    assert audit(runtime, "vendor_change") == []


def test_a_refused_changed_upload_stores_no_vendor_details(client, runtime):
    invoice_id = upload(runtime)
    with transaction(runtime.sessions) as session:
        session.get(Invoice, invoice_id).status = "S"
    data = upload_data(vendor={"name": "Renamed Farm", "default_class": "Boston"})
    data["invoice"]["lines"][0]["product"] = "Rose Explorer 60cm"
    assert post(client, runtime, data).status_code == 409
    vendor = vendor_row(runtime)
    assert (vendor.name, vendor.default_class) == ("Flores de la Sabana", None)


def test_a_vendor_level_change_resets_the_approvals_of_the_vendors_other_open_invoices(client, runtime):
    approved = approved_invoice(runtime, invoice={"number": "FE-1"})
    half = upload(runtime, invoice={"number": "FE-2"})
    assert act(runtime, half, Action.APPROVE, BUYER).changed
    in_flight = sent_invoice(runtime, invoice={"number": "FE-3"})
    rejected = upload(runtime, invoice={"number": "FE-4"})
    assert act(runtime, rejected, Action.REJECT, BUYER, reason="wrong farm").changed

    answer = post(client, runtime, renamed(number="FE-5"))
    assert answer.status_code == 202

    with runtime.sessions() as session:
        for reopened in (approved, half):
            invoice = session.get(Invoice, reopened)
            assert (invoice.status, invoice.revision, invoice.current.qb_accounting_name) == ("AP", 2, NEW_PAYEE)
            assert [x.product for x in invoice.current.lines] == ["Rose Freedom 50cm", "Carnation Fancy White"]
            assert invoice.current.total == invoice.revisions[0].total
    assert stored(runtime, in_flight).status == "ES"
    assert stored(runtime, rejected).status == "R"
    (changed,) = audit(runtime, "vendor_change")
    assert changed.detail == (
        f"vendor FLORSAB: QB accounting name 'Flores de la Sabana SAS' → '{NEW_PAYEE}'; "
        "approvals reset on invoices FE-1, FE-2"
    )
    reasons = [e.detail for e in audit(runtime, Action.REVISE) if e.invoice_id in (approved, half)]
    assert (
        reasons
        == [
            f"revision 2: the QB accounting name of vendor FLORSAB changed from 'Flores de la Sabana SAS'"
            f" to '{NEW_PAYEE}' with invoice FE-5; approvals reset"
        ]
        * 2
    )


def test_an_invoice_already_sent_pays_the_name_it_was_approved_with_after_the_vendor_changes(client, runtime):
    in_flight = sent_invoice(runtime, invoice={"number": "FE-1"})
    assert post(client, runtime, renamed(number="FE-2")).status_code == 202
    with runtime.sessions() as session:
        assert facts_of(session.get(Invoice, in_flight)).vendor_qb_name == "Flores de la Sabana SAS"
    assert vendor_row(runtime).qb_accounting_name == NEW_PAYEE


def test_a_reopened_invoice_is_sent_to_the_new_name_once_approved_again(client, runtime):
    invoice_id = approved_invoice(runtime, invoice={"number": "FE-1"})
    assert post(client, runtime, renamed(number="FE-2")).status_code == 202
    assert not act(runtime, invoice_id, Action.SEND, AP).changed
    approve(runtime, invoice_id)
    assert act(runtime, invoice_id, Action.SEND, AP).changed
    with runtime.sessions() as session:
        assert facts_of(session.get(Invoice, invoice_id)).vendor_qb_name == NEW_PAYEE


def test_an_identical_upload_with_a_new_vendor_display_name_is_unchanged_but_audited(client, runtime):
    invoice_id = approved_invoice(runtime)
    answer = post(client, runtime, upload_data(vendor={"name": "Flores Sabana"}))
    assert (answer.status_code, answer.json["status"]) == (200, "A")
    assert vendor_row(runtime).name == "Flores Sabana"
    (changed,) = audit(runtime, "vendor_change")
    assert (changed.invoice_id, changed.detail) == (
        invoice_id,
        "vendor FLORSAB: name 'Flores de la Sabana' → 'Flores Sabana'",
    )


def test_an_upload_without_a_qb_accounting_name_keeps_the_approval(client, runtime):
    approved_invoice(runtime)
    data = upload_data()
    del data["vendor"]["qb_accounting_name"]
    answer = post(client, runtime, data)
    assert (answer.status_code, answer.json["status"]) == (200, "A")
    assert audit(runtime, "vendor_change") == []


def test_concurrent_changed_uploads_of_one_invoice_never_fail_and_number_revisions_without_gaps(app, runtime):
    invoice_id = upload(runtime)
    secret = runtime.settings.upload_webhook_secret.get_secret_value()
    start, answers = threading.Barrier(20), [None] * 20

    def changed_upload(index: int) -> None:
        data = upload_data()
        data["invoice"]["lines"][0]["product"] = f"Rose variety {index}"
        body = json.dumps(data).encode()
        start.wait(timeout=10)
        answers[index] = app.test_client().post(URL, data=body, headers=signed_headers(secret, body))

    threads = [threading.Thread(target=changed_upload, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted({a.status_code for a in answers}) == [202]
    with runtime.sessions() as session:
        numbers = session.scalars(
            select(InvoiceRevision.number)
            .where(InvoiceRevision.invoice_id == invoice_id)
            .order_by(InvoiceRevision.number)
        ).all()
    assert numbers == list(range(1, 22))
    assert sorted(a.json["revision"] for a in answers) == list(range(2, 22))
