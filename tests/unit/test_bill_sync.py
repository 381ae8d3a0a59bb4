"""The sync of invoices in ES on the fakes: S or F recorded once, announced after commit, locks respected."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from invoices.events import AttachmentDue, InvoiceChanged, SyncRequested
from models import AuditEntry
from services.locks import Busy
from services.ports import QboPermanent, QboTransient
from services.sync.exactly_once import request_id
from services.sync.single import sync_invoice
from services.sync.steps import invoice_lock_name
from tests.builders import sent_invoice, stored, upload
from tests.unit.drafts import note_of
from tests.unit.fakes import LOST

NUMBER = "100482-FE-20931"


@pytest.fixture
def events(wiring):
    """What the services publish from now on (the uploads' and sends' events are set aside)."""
    return wiring.events.published


def sent(runtime, *numbers):
    ids = [sent_invoice(runtime, invoice={"number": number}) for number in numbers or ("FE-20931",)]
    runtime.publisher.published.clear()
    return ids


def audit_ids(runtime, invoice_id, action):
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry.id).where(AuditEntry.invoice_id == invoice_id, AuditEntry.action == action)
            )
        )


def test_an_invoice_in_es_becomes_synchronized_with_its_one_bill_and_is_announced(runtime, qbo, events):
    [invoice_id] = sent(runtime)
    assert sync_invoice(runtime, invoice_id) == "S"
    [bill] = qbo.bills.values()
    invoice = stored(runtime, invoice_id)
    assert (invoice.status, invoice.bill_id, invoice.bill_number, invoice.last_error) == ("S", bill["Id"], NUMBER, None)
    assert qbo.called("create_bill") == [request_id(invoice_id, 1, invoice.version - 1)]
    # The Bill exists: its file (the example's attachment_url) is due on it too.
    assert events == [
        InvoiceChanged(invoice_id, *audit_ids(runtime, invoice_id, "sync_succeeded")),
        AttachmentDue(invoice_id),
    ]


def test_a_held_invoice_lock_raises_busy_and_changes_nothing(runtime, qbo, wiring, events):
    [invoice_id] = sent(runtime)
    with wiring.memory_locks.hold(invoice_lock_name(invoice_id), 60):
        with pytest.raises(Busy, match=f"invoice {invoice_id} is being synchronized by another worker"):
            sync_invoice(runtime, invoice_id)
    assert stored(runtime, invoice_id).status == "ES"
    assert qbo.calls == [] and events == []


def test_a_permanent_refusal_fails_the_invoice_keeping_the_message_a_person_must_act_on(runtime, qbo, events):
    [invoice_id] = sent(runtime)
    qbo.fail("create_bill", QboPermanent("refused", code=6000, detail="The account is inactive"))
    assert sync_invoice(runtime, invoice_id) == "F"
    invoice = stored(runtime, invoice_id)
    assert invoice.status == "F" and invoice.bill_id is None
    assert invoice.last_error == (
        f"QuickBooks refused Bill {NUMBER} of vendor 'Flores de la Sabana SAS' (code 6000): "
        "The account is inactive; correct it, then Retry"
    )
    assert events == [InvoiceChanged(invoice_id, *audit_ids(runtime, invoice_id, "sync_failed"))]


def test_a_vendor_quickbooks_does_not_know_fails_the_invoice_before_any_write(runtime, qbo):
    invoice_id = sent_invoice(runtime, vendor={"qb_accounting_name": "Flores de la Sabana S.A.S."})
    assert sync_invoice(runtime, invoice_id) == "F"
    assert "no active vendor named exactly 'Flores de la Sabana S.A.S.'" in stored(runtime, invoice_id).last_error
    assert qbo.called("create_bill") == []


def test_a_transient_failure_propagates_leaving_the_invoice_in_es_and_unannounced(runtime, qbo, events):
    [invoice_id] = sent(runtime)
    qbo.fail("create_bill", QboTransient("503 Service Unavailable"))
    with pytest.raises(QboTransient):
        sync_invoice(runtime, invoice_id)
    assert stored(runtime, invoice_id).status == "ES" and events == []
    assert not runtime.locks.held(invoice_lock_name(invoice_id))


def test_a_lost_create_answer_ends_synchronized_on_the_retry_with_exactly_one_bill(runtime, qbo):
    [invoice_id] = sent(runtime)
    qbo.fail("create_bill", LOST)
    with pytest.raises(QboTransient):
        sync_invoice(runtime, invoice_id)
    assert sync_invoice(runtime, invoice_id) == "S"
    [bill_id] = qbo.bills
    assert stored(runtime, invoice_id).bill_id == bill_id and len(qbo.called("create_bill")) == 1


def test_an_adopted_bill_whose_total_was_changed_in_quickbooks_fails_the_invoice(runtime, qbo):
    [invoice_id] = sent(runtime)
    ours = qbo.add_bill(NUMBER, note=note_of(invoice_id), total="1000.00")
    assert sync_invoice(runtime, invoice_id) == "F"
    invoice = stored(runtime, invoice_id)
    assert invoice.last_error == (
        f"QuickBooks computed a total of 1000.00 for Bill {NUMBER} (QuickBooks id "
        f"{ours['Id']}) but the invoice total is 1093.50: correct the Bill in QuickBooks, "
        "then Retry"
    )
    assert invoice.bill_id == ours["Id"] and qbo.called("create_bill") == []


def test_an_invoice_no_longer_in_es_is_skipped_without_asking_quickbooks(runtime, qbo):
    invoice_id = upload(runtime)
    assert sync_invoice(runtime, invoice_id) == "skipped"
    assert qbo.calls == [] and stored(runtime, invoice_id).status == "AP"


def test_invoices_queued_together_are_synced_in_one_batch_and_their_own_jobs_then_skip(runtime, qbo, wiring, events):
    ids = sent(runtime, "FE-30000", "FE-30001", "FE-30002")
    assert sync_invoice(runtime, ids[0]) == "S"
    assert [stored(runtime, i).status for i in ids] == ["S", "S", "S"]
    assert {stored(runtime, i).bill_id for i in ids} == set(qbo.bills)
    assert len(qbo.called("create_bills")) == 1 and qbo.called("create_bill") == []
    assert wiring.memory_locks.taken == set()
    assert [e for e in events if isinstance(e, SyncRequested)] == []
    assert [sync_invoice(runtime, i) for i in ids[1:]] == ["skipped", "skipped"]


def test_a_peer_left_undecided_by_the_batch_is_requeued_and_stays_in_es(runtime, qbo, events):
    leader, peer, refused = sent(runtime, "FE-30000", "FE-30001", "FE-30002")
    qbo.fail_item(peer, QboTransient("QuickBooks' batch answer said nothing about item"))
    qbo.fail_item(refused, QboPermanent("refused", code=6000, detail="Inactive account"))
    assert sync_invoice(runtime, leader) == "S"
    assert [stored(runtime, i).status for i in (leader, peer, refused)] == ["S", "ES", "F"]
    assert [e for e in events if isinstance(e, SyncRequested)] == [SyncRequested(peer)]


def test_the_leader_left_undecided_by_the_batch_raises_its_transient_error(runtime, qbo):
    leader, peer = sent(runtime, "FE-30000", "FE-30001")
    qbo.fail_item(leader, QboTransient("QuickBooks' batch answer said nothing about item"))
    with pytest.raises(QboTransient):
        sync_invoice(runtime, leader)
    assert [stored(runtime, i).status for i in (leader, peer)] == ["ES", "S"]


@pytest.mark.parametrize("why", ["no-batch-room", "peer-locked"])
def test_the_plain_path_syncs_the_invoice_alone_when_no_batch_can_be_made(runtime, qbo, wiring, why):
    leader, peer = sent(runtime, "FE-30000", "FE-30001")
    qbo.room = why != "no-batch-room"
    if why == "peer-locked":
        wiring.memory_locks.taken.add(invoice_lock_name(peer))
    assert sync_invoice(runtime, leader) == "S"
    assert [stored(runtime, i).status for i in (leader, peer)] == ["S", "ES"]
    assert qbo.called("create_bills") == [] and len(qbo.called("create_bill")) == 1
    assert Decimal(str(next(iter(qbo.bills.values()))["TotalAmt"])) == Decimal("1093.50")


def test_a_sync_whose_lock_lapsed_before_the_create_creates_no_bill_and_tries_again(runtime, qbo, wiring, monkeypatch):
    [invoice_id] = sent(runtime)
    look_up = qbo.find_bills

    def lapse_then_look_up(*args):
        wiring.memory_locks.expire(invoice_lock_name(invoice_id))
        return look_up(*args)

    monkeypatch.setattr(qbo, "find_bills", lapse_then_look_up)
    with pytest.raises(Busy, match="expired while held"):
        sync_invoice(runtime, invoice_id)
    assert qbo.called("create_bill") == [] and qbo.bills == {}
    assert stored(runtime, invoice_id).status == "ES"


def test_a_batch_whose_peer_lock_lapsed_creates_no_bill_and_both_try_again(runtime, qbo, wiring, events, monkeypatch):
    leader, peer = sent(runtime, "FE-30000", "FE-30001")
    look_up = qbo.find_bills_numbered

    def lapse_then_look_up(*args):
        wiring.memory_locks.expire(invoice_lock_name(peer))
        return look_up(*args)

    monkeypatch.setattr(qbo, "find_bills_numbered", lapse_then_look_up)
    with pytest.raises(Busy, match="expired while held"):
        sync_invoice(runtime, leader)
    assert qbo.called("create_bills") == [] and qbo.called("create_bill") == [] and qbo.bills == {}
    assert [stored(runtime, i).status for i in (leader, peer)] == ["ES", "ES"]
    assert [e for e in events if isinstance(e, SyncRequested)] == [SyncRequested(peer)]
