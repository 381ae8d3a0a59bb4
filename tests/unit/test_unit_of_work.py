"""A unit of work publishes its events only once its transaction committed, and never when it rolled back."""

import pytest
from sqlalchemy.exc import IntegrityError

from invoices.events import InvoiceChanged, SyncRequested
from models import Invoice
from services.changes.unit_of_work import UnitOfWork
from tests.builders import stored, upload


class Crash(Exception):
    """Something going wrong in the middle of a use case."""


@pytest.fixture
def invoice_id(runtime):
    found = upload(runtime)
    runtime.publisher.published.clear()
    return found


def test_events_are_published_after_the_commit_when_the_change_is_already_visible(runtime, wiring, invoice_id):
    seen_then = []
    wiring.events.check = lambda events: seen_then.append((events, stored(runtime, invoice_id).last_error))
    with UnitOfWork(runtime) as uow:
        uow.session.get(Invoice, invoice_id).last_error = "changed"
        uow.emit(InvoiceChanged(invoice_id, 1))
        uow.emit(SyncRequested(invoice_id))
        assert wiring.events.published == [], "nothing is published inside the transaction"
    assert seen_then == [([InvoiceChanged(invoice_id, 1), SyncRequested(invoice_id)], "changed")]


def test_a_unit_of_work_that_fails_rolls_back_and_publishes_nothing(runtime, wiring, invoice_id):
    with pytest.raises(Crash):
        with UnitOfWork(runtime) as uow:
            uow.session.get(Invoice, invoice_id).last_error = "changed"
            uow.emit(InvoiceChanged(invoice_id, 1))
            uow.session.flush()
            raise Crash("the worker fell over")
    assert stored(runtime, invoice_id).last_error is None
    assert wiring.events.published == []


def test_a_commit_that_fails_publishes_nothing(runtime, wiring, invoice_id):
    with pytest.raises(IntegrityError):
        with UnitOfWork(runtime) as uow:
            uow.session.get(Invoice, invoice_id).vendor_id = 999
            uow.emit(InvoiceChanged(invoice_id, 1))
    assert stored(runtime, invoice_id).vendor_id != 999
    assert wiring.events.published == []


def test_a_unit_of_work_without_events_publishes_nothing(runtime, wiring, invoice_id):
    calls = []
    wiring.events.check = calls.append
    with UnitOfWork(runtime) as uow:
        uow.session.get(Invoice, invoice_id).last_error = "changed"
    assert stored(runtime, invoice_id).last_error == "changed"
    assert calls == []


def test_an_upload_announces_its_new_invoice_once_committed(runtime, wiring):
    invoice_id = upload(runtime)
    [event] = wiring.events.published
    assert isinstance(event, InvoiceChanged) and event.invoice_id == invoice_id and event.audit_id is not None
