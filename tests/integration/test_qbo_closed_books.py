"""Closed books (docs/quickbooks.md, CLOSED_BOOKS) against the QuickBooks sandbox, through python-quickbooks."""

from sqlalchemy import select

from bot.thread_lines import thread_line
from invoices.statuses import Action
from models import AuditEntry
from services.read.cards import thread_entry
from tests.backends import with_settings
from tests.builders import sent_invoice, settle, stored

TRACE_END = "[invoice-sync:{id} r1]"


def close_books(sandbox, through: str) -> None:
    sandbox.control("POST", f"/realms/{sandbox.realm}/preferences", book_close_date=through)


def synced_entry(runtime, invoice_id: int) -> AuditEntry:
    with runtime.sessions() as session:
        return session.scalars(
            select(AuditEntry).where(AuditEntry.invoice_id == invoice_id, AuditEntry.action == Action.SYNC_SUCCEEDED)
        ).one()


def test_with_block_an_invoice_shipped_in_a_closed_period_fails_before_any_write_saying_through_when(
    qbo_runtime, sandbox
):
    close_books(sandbox, "2026-11-20")
    before = sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["requests"]
    invoice_id = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, invoice_id) == "F"
    error = stored(qbo_runtime, invoice_id).last_error
    assert "books are closed through 2026-11-20 and the ship date is 2026-11-20" in error
    assert "CLOSED_BOOKS=next_open_day" in error
    assert sandbox.bills() == []
    # Preferences, classes, the vendor: reads only; no create was attempted (a refused one would be a 4th request).
    requests = sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["requests"] - before
    assert requests <= 3


def test_with_next_open_day_the_bill_is_dated_after_the_close_date_and_its_note_and_thread_say_so(qbo_runtime, sandbox):
    runtime = with_settings(qbo_runtime, closed_books="next_open_day")
    close_books(sandbox, "2026-11-25")
    invoice_id = sent_invoice(runtime)
    assert settle(runtime, invoice_id) == "S"
    [bill] = sandbox.bills()
    said = "Dated 2026-11-26, the day after the books' close date 2026-11-25, instead of the ship date 2026-11-20."
    assert bill["TxnDate"] == "2026-11-26"
    assert bill["PrivateNote"].startswith(said)
    assert bill["PrivateNote"].endswith(TRACE_END.format(id=invoice_id))
    assert stored(runtime, invoice_id).bill_id == bill["Id"]
    line = thread_line(thread_entry(synced_entry(runtime, invoice_id)), bill["DocNumber"])
    assert line.startswith(":large_green_circle: Synchronized as Bill 100482-FE-20931.") and said in line


def test_with_next_open_day_an_invoice_after_the_close_date_keeps_its_ship_date_and_says_nothing(qbo_runtime, sandbox):
    runtime = with_settings(qbo_runtime, closed_books="next_open_day")
    close_books(sandbox, "2026-11-19")
    invoice_id = sent_invoice(runtime)
    assert settle(runtime, invoice_id) == "S"
    [bill] = sandbox.bills()
    assert bill["TxnDate"] == "2026-11-20" and not bill["PrivateNote"].startswith("Dated")
    assert thread_line(thread_entry(synced_entry(runtime, invoice_id)), bill["DocNumber"]).endswith(
        "Bill 100482-FE-20931."
    )


def test_books_closed_after_the_preferences_were_read_end_the_invoice_in_f_with_quickbooks_reason(qbo_runtime, sandbox):
    assert qbo_runtime.quickbooks().books().close_date is None  # read and cached while the books were open
    close_books(sandbox, "2026-11-30")
    invoice_id = sent_invoice(qbo_runtime)
    assert settle(qbo_runtime, invoice_id) == "F"
    error = stored(qbo_runtime, invoice_id).last_error
    assert error.startswith("Bill 100482-FE-20931 dated 2026-11-20 was not booked: ")
    assert "books are closed" in error and "Account Period Closed" in error and "Retry" in error
    assert "already used" not in error and sandbox.bills() == []
