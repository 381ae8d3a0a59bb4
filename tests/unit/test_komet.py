"""Komet told of a Synchronized invoice on the fakes: once, retried on the events' schedule, refusals told once."""

from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from bot.cards import card_blocks
from invoices.audit import AuditKind
from invoices.events import KometMarkDue
from invoices.komet import unmarkable
from invoices.statuses import Action
from models import AuditEntry, Invoice
from models.base import utcnow
from models.database import transaction
from services.erp import delivery
from services.erp.komet import due_marks, lock_name, mark_in_komet
from services.locks import Busy
from services.ports import KometAnswer, KometOutcome
from services.read.view import load_view
from services.sync.single import sync_invoice
from tests.backends import with_settings
from tests.builders import AP, act, sent_invoice, stored, upload

TRANSIENT = KometAnswer(KometOutcome.TRANSIENT, "Komet answered 503 Service Unavailable")


@pytest.fixture
def komet_on(runtime):
    """The unit runtime with KOMET_API_TOKEN set."""
    return with_settings(runtime, komet_api_token=SecretStr("a-komet-company-token"))


@pytest.fixture
def sales(wiring):
    """The fake Komet of this test."""
    return wiring.komet_sales


def synchronized(runtime, **invoice) -> int:
    invoice_id = sent_invoice(runtime, invoice=invoice) if invoice else sent_invoice(runtime)
    assert sync_invoice(runtime, invoice_id) == "S"
    return invoice_id


def told(runtime, invoice_id) -> list[tuple[str, str]]:
    kinds = [kind.value for kind in (AuditKind.KOMET_MARKED, AuditKind.KOMET_REFUSED, AuditKind.KOMET_NOT_MARKED)]
    with runtime.sessions() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.invoice_id == invoice_id, AuditEntry.action.in_(kinds))
            .order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]


def make_due(runtime) -> None:
    with transaction(runtime.sessions) as session:
        session.execute(
            update(Invoice).where(Invoice.komet_next_attempt_at.is_not(None)).values(komet_next_attempt_at=utcnow())
        )


def test_numbers_of_ten_characters_fit_and_a_longer_one_is_named_with_its_length():
    assert unmarkable("100482", "FE-2093100") is None
    why = unmarkable("100482", "FE-2093100001")
    assert "invoice number FE-2093100001 has 13 characters" in why and "at most 10" in why
    assert "PO number P0123456789 has 11" in unmarkable("P0123456789", "FE-1")


def test_without_a_komet_token_a_synchronized_invoice_raises_no_mark_and_none_is_made(runtime, sales):
    invoice_id = synchronized(runtime)
    assert not [e for e in runtime.publisher.published if isinstance(e, KometMarkDue)]
    assert mark_in_komet(runtime, invoice_id) is None and due_marks(runtime) == []
    assert sales.received == [] and stored(runtime, invoice_id).komet_next_attempt_at is None


def test_the_sync_makes_the_mark_due_and_one_call_marks_it_once_for_good(komet_on, sales):
    invoice_id = synchronized(komet_on)
    assert KometMarkDue(invoice_id) in komet_on.publisher.published
    assert due_marks(komet_on) == [invoice_id]
    assert mark_in_komet(komet_on, invoice_id) is None
    assert mark_in_komet(komet_on, invoice_id) is None
    assert sales.received == [("100482", "FE-20931")]
    invoice = stored(komet_on, invoice_id)
    assert invoice.komet_marked_at is not None and (invoice.komet_attempts, invoice.komet_answer) == (1, "OK")
    assert told(komet_on, invoice_id) == [("komet_marked", "OK")]
    assert due_marks(komet_on) == []


def test_a_refusal_is_told_once_with_komets_message_and_the_invoice_stays_synchronized(komet_on, sales):
    sales.answers = [KometAnswer(KometOutcome.REFUSED, "The vendor invoice doesn't exist")]
    invoice_id = synchronized(komet_on)
    assert mark_in_komet(komet_on, invoice_id) is None
    make_due(komet_on)
    assert mark_in_komet(komet_on, invoice_id) is None
    assert len(sales.received) == 1
    assert told(komet_on, invoice_id) == [("komet_refused", "The vendor invoice doesn't exist")]
    assert stored(komet_on, invoice_id).status == "S" and due_marks(komet_on) == []


def test_a_transient_answer_waits_on_the_events_schedule_then_the_mark_is_made(komet_on, sales):
    sales.answers = [TRANSIENT]
    invoice_id = synchronized(komet_on)
    due = mark_in_komet(komet_on, invoice_id)
    assert timedelta(seconds=delivery.SCHEDULE[0] * 0.8) <= due - utcnow() <= timedelta(seconds=6)
    assert mark_in_komet(komet_on, invoice_id) == due and len(sales.received) == 1
    make_due(komet_on)
    assert mark_in_komet(komet_on, invoice_id) is None
    assert len(sales.received) == 2 and stored(komet_on, invoice_id).komet_attempts == 2
    assert told(komet_on, invoice_id) == [("komet_marked", "OK")]


def test_retry_after_longer_than_the_schedule_is_honoured(komet_on, sales):
    sales.answers = [KometAnswer(KometOutcome.TRANSIENT, "Komet answered 429 Too Many Requests", retry_after=600)]
    invoice_id = synchronized(komet_on)
    assert mark_in_komet(komet_on, invoice_id) - utcnow() >= timedelta(seconds=599)


def test_the_end_of_the_schedule_is_told_once_and_no_call_follows(komet_on, sales):
    sales.answers = [TRANSIENT] * (len(delivery.SCHEDULE) + 1)
    invoice_id = synchronized(komet_on)
    for _ in range(len(delivery.SCHEDULE) + 3):
        mark_in_komet(komet_on, invoice_id)
        make_due(komet_on)
    assert len(sales.received) == len(delivery.SCHEDULE) + 1
    [(kind, detail)] = told(komet_on, invoice_id)
    assert kind == "komet_not_marked" and "10 tries" in detail and "503" in detail


def test_numbers_over_ten_characters_are_never_sent_and_the_thread_says_why_once(komet_on, sales):
    invoice_id = synchronized(komet_on, number="FE-2093100001")
    mark_in_komet(komet_on, invoice_id)
    make_due(komet_on)
    mark_in_komet(komet_on, invoice_id)
    assert sales.received == []
    [(kind, detail)] = told(komet_on, invoice_id)
    assert kind == "komet_not_marked" and "13 characters" in detail


def test_the_card_notes_from_the_upload_on_that_komet_cannot_be_told_but_sending_is_not_blocked(komet_on, runtime):
    invoice_id = upload(komet_on, invoice={"number": "FE-2093100001"})
    with komet_on.sessions() as session:
        view = load_view(session, invoice_id, komet_on.numbering, komet=True)
        plain = load_view(session, invoice_id, komet_on.numbering)
    assert view.blockers == () and plain.notes == ()
    [note] = view.notes
    text = str([block.to_dict() for block in card_blocks("procurement", view)])
    assert "Komet cannot be told" in note and "Komet cannot be told" in text


def test_a_mark_due_for_an_invoice_returned_to_approved_is_dropped_without_a_call(komet_on, sales):
    invoice_id = synchronized(komet_on)
    assert act(komet_on, invoice_id, Action.RETURN_TO_APPROVED, AP, reason="Wrong total").changed
    assert mark_in_komet(komet_on, invoice_id) is None
    assert sales.received == [] and told(komet_on, invoice_id) == [] and due_marks(komet_on) == []


def test_a_held_komet_lock_is_busy_and_calls_nothing(komet_on, sales, wiring):
    invoice_id = synchronized(komet_on)
    with wiring.memory_locks.hold(lock_name(invoice_id), 60):
        with pytest.raises(Busy):
            mark_in_komet(komet_on, invoice_id)
    assert sales.received == []
