"""The ERP's outbox: one event per status or balance change, in the change's own transaction, in order."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from invoices.events import ErpEventsWritten
from invoices.statuses import Action, Status
from models import ErpEvent, Invoice
from services.changes.actions import apply_action
from services.changes.unit_of_work import UnitOfWork
from services.read import erp
from services.sync.outcome import complete, report_balance
from tests.backends import with_settings
from tests.builders import AP, BUYER, act, sent_invoice, upload

URL = "http://127.0.0.1:9/erp/events"
SECRET = "whsec_" + "ZXJwLWV2ZW50cy1zZWNyZXQ="


class Crash(Exception):
    """Something going wrong after the change, before the commit."""


def events(runtime, invoice_id: int) -> list[ErpEvent]:
    with runtime.sessions() as session:
        return list(session.scalars(select(ErpEvent).where(ErpEvent.invoice_id == invoice_id).order_by(ErpEvent.id)))


def told(runtime, invoice_id: int) -> list[tuple]:
    """(sequence, previous status, status) of each event, oldest first."""
    return [
        (e.sequence, e.body["data"]["previous_status"], e.body["data"]["status"]) for e in events(runtime, invoice_id)
    ]


def bill(invoice_id: int, balance: str = "1093.50") -> dict:
    return {
        "Id": "1452",
        "DocNumber": "100482-FE-20931",
        "TotalAmt": "1093.50",
        "Balance": balance,
        "PrivateNote": f"invoice-sync invoice {invoice_id}",
    }


def test_every_status_of_the_happy_path_has_one_event_numbered_in_order(runtime):
    invoice_id = sent_invoice(runtime)
    assert told(runtime, invoice_id) == [(1, None, "AP"), (2, "AP", "AA"), (3, "AA", "A"), (4, "A", "ES")]


def test_a_change_that_rolls_back_leaves_no_event(runtime):
    invoice_id = upload(runtime)
    with pytest.raises(Crash):
        with UnitOfWork(runtime) as uow:
            assert apply_action(uow, invoice_id, Action.APPROVE, BUYER).changed
            raise Crash("the worker fell over after the change")
    assert told(runtime, invoice_id) == [(1, None, "AP")]
    with runtime.sessions() as session:
        invoice = session.get(Invoice, invoice_id)
        assert (invoice.status, invoice.event_sequence) == (Status.PENDING_PROCUREMENT.value, 1)


def test_a_committed_change_always_has_its_event_with_the_state_it_committed(runtime):
    invoice_id = upload(runtime)
    with UnitOfWork(runtime) as uow:
        assert apply_action(uow, invoice_id, Action.APPROVE, BUYER).changed
    [_, approved] = events(runtime, invoice_id)
    data = approved.body["data"]
    assert approved.type == approved.body["type"] == "invoice.status_changed"
    assert (data["status"], data["status_name"], data["previous_status"]) == ("AA", "Pending Accounting Approval", "AP")
    assert (data["vendor_code"], data["po_number"], data["invoice_number"], data["revision"]) == (
        "FLORSAB",
        "100482",
        "FE-20931",
        1,
    )
    assert (data["total"], data["actor"], data["sequence"], data["id"]) == ("1093.50", BUYER.id, 2, invoice_id)
    assert data["bill"] is None and data["balance"] is None and data["error"] is None


def test_a_status_change_draws_its_event_from_the_invoice_it_holds_without_reading_it_again(runtime, monkeypatch):
    invoice_id = upload(runtime)

    def read_again(session, invoice_id):
        raise AssertionError("the invoice was read again for its ERP event")

    # A click's transaction holds the invoice and its revisions already (the decision needed them).
    monkeypatch.setattr(erp, "invoice_state", read_again)
    assert act(runtime, invoice_id, Action.APPROVE, BUYER).changed
    data = events(runtime, invoice_id)[-1].body["data"]
    assert (data["status"], data["previous_status"], data["revision"], data["total"]) == ("AA", "AP", 1, "1093.50")


def test_a_refused_action_writes_no_event(runtime):
    invoice_id = upload(runtime)
    assert not act(runtime, invoice_id, Action.SEND, AP).changed
    assert told(runtime, invoice_id) == [(1, None, "AP")]


def test_a_revision_is_told_after_its_lines_are_in_with_its_own_number_and_total(runtime):
    invoice_id = upload(runtime)
    assert act(runtime, invoice_id, Action.APPROVE, BUYER).changed
    changed = {"charges": [{"description": "Handling", "amount": "40.50"}], "total": "1099.50"}
    assert upload(runtime, invoice=changed) == invoice_id
    revised = events(runtime, invoice_id)[-1].body["data"]
    assert (revised["previous_status"], revised["status"], revised["revision"], revised["total"]) == (
        "AA",
        "AP",
        2,
        "1099.50",
    )


def test_synchronized_paid_and_a_partial_payment_carry_the_bill_and_its_balance(runtime):
    invoice_id = sent_invoice(runtime)
    assert complete(runtime, invoice_id, bill(invoice_id)) == "S"
    assert report_balance(runtime, invoice_id, bill(invoice_id, balance="593.50"))
    synced, partly = [e.body for e in events(runtime, invoice_id)[-2:]]
    assert synced["data"]["bill"] == {"id": "1452", "number": "100482-FE-20931"}
    assert (synced["data"]["status"], synced["data"]["balance"]) == ("S", "1093.50")
    assert partly["type"] == "invoice.balance_changed"
    assert (partly["data"]["previous_status"], partly["data"]["status"], partly["data"]["balance"]) == (
        "S",
        "S",
        "593.50",
    )


def test_without_an_erp_url_events_are_kept_for_the_feed_and_nothing_is_pushed(runtime, wiring):
    invoice_id = upload(runtime)
    [event] = events(runtime, invoice_id)
    assert event.next_attempt_at is None
    assert not [e for e in wiring.events.published if isinstance(e, ErpEventsWritten)]


def test_with_an_erp_url_each_committed_change_asks_for_its_push_once(runtime, wiring):
    pushing = with_settings(runtime, erp_events_url=URL, erp_events_secret=SECRET)
    invoice_id = upload(pushing)
    [event] = events(pushing, invoice_id)
    assert event.next_attempt_at is not None
    assert [e for e in wiring.events.published if isinstance(e, ErpEventsWritten)] == [ErpEventsWritten(invoice_id)]


def test_money_in_events_is_exact_decimal_text(runtime):
    invoice_id = sent_invoice(runtime)
    assert complete(runtime, invoice_id, bill(invoice_id)) == "S"
    assert report_balance(runtime, invoice_id, bill(invoice_id, balance="0.10"))
    data = events(runtime, invoice_id)[-1].body["data"]
    assert Decimal(data["balance"]) == Decimal("0.10") and data["balance"] == "0.10"
