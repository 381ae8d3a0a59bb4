"""Every audit entry a thread can tell has its own sentence; none is shown by its raw code."""

import pytest

from bot.thread_lines import LINES, thread_line
from invoices.audit import AuditKind, audited
from invoices.statuses import Action, Status
from services.views import ThreadEntry


def test_every_audit_kind_and_every_action_has_a_thread_line():
    assert set(LINES) == set(AuditKind) | set(Action)


@pytest.mark.parametrize("kind", list(AuditKind) + list(Action))
def test_no_thread_line_shows_its_kind_as_a_raw_code(kind):
    entry = ThreadEntry(id=1, actor="invoice-sync", action=kind, from_status=Status.SYNCHRONIZED, detail="why")
    assert kind.value not in thread_line(entry, "100482-FE-20931")


def test_a_drifted_bill_total_is_told_in_words_with_what_to_do():
    detail = (
        "Bill 100482-FE-20931 (QuickBooks id 7) was changed in QuickBooks: its total is now 1000.00, "
        "the invoice total is 1093.50"
    )
    entry = ThreadEntry(
        id=1, actor="invoice-sync", action=AuditKind.BILL_TOTAL_DRIFT, from_status=Status.SYNCHRONIZED, detail=detail
    )
    line = thread_line(entry, "100482-FE-20931")
    assert line.startswith(":warning: Bill 100482-FE-20931 (QuickBooks id 7) was changed")
    assert "Return to Approved" in line and "bill_total_drift" not in line


def test_a_stored_action_column_reads_back_as_its_action_or_kind():
    assert audited("approve") is Action.APPROVE
    assert audited("vendor_change") is AuditKind.VENDOR_CHANGE
    with pytest.raises(ValueError):
        audited("something_else")
