"""What a card offers, from the domain table alone, what its buttons carry, and how it shows money, text and links."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from bot.amounts import money
from bot.buttons import BadButtonValue, Clicked, allowed_buttons, button_value, parse_value
from bot.mrkdwn import document_link, escaped
from invoices.statuses import Status
from services.read.cards import CardKind


def test_buttons_follow_the_domain_table_for_every_status():
    shown = {(kind, status): [b.label for b in allowed_buttons(kind, status)] for kind in CardKind for status in Status}
    assert shown[("procurement", Status.PENDING_PROCUREMENT)] == ["Approve", "Reject"]
    assert shown[("accounting", Status.PENDING_ACCOUNTING)] == ["Approve", "Reject", "Return to Procurement"]
    assert shown[("accounting", Status.APPROVED)] == ["Send to External System"]
    assert shown[("accounting", Status.SYNCHRONIZED)] == ["Return to Approved"]
    assert shown[("accounting", Status.SENT)] == ["Return to Approved"]
    assert all(
        not labels
        for (kind, status), labels in shown.items()
        if status in (Status.REJECTED, Status.PAID) or (kind == "procurement" and status != Status.PENDING_PROCUREMENT)
    )


def test_money_on_the_card_is_exact():
    assert money(Decimal("1093.5"), "USD") == "USD 1,093.50"


def test_a_button_carries_the_invoice_the_status_and_revision_shown_and_the_number_which_may_hold_colons():
    value = button_value(7, Status.PENDING_ACCOUNTING, "FE:2026:1", 3)
    assert value == "7:AA:r3:FE:2026:1"
    assert parse_value(value) == Clicked(7, Status.PENDING_ACCOUNTING, "FE:2026:1", 3)
    assert parse_value(button_value(7, Status.PENDING_ACCOUNTING, "r2:X", 1)).number == "r2:X"
    assert parse_value("7:AP:FE:1") == Clicked(7, Status.PENDING_PROCUREMENT, "FE:1")  # drawn before revisions
    assert parse_value("7:AP") == Clicked(7, Status.PENDING_PROCUREMENT, "id 7")  # a card drawn before numbers
    for bad in ("", "7", "x:AP", "7:ZZ:FE-1", "2147483648:AP:FE-1", "7:AP\n", None):
        with pytest.raises(BadButtonValue):
            parse_value(bad)


def test_every_text_of_a_view_is_escaped_for_mrkdwn_however_deep_and_whatever_field_is_added():
    @dataclass(frozen=True)
    class Line:
        text: str
        amount: Decimal

    @dataclass(frozen=True)
    class View:
        number: str
        status: Status
        lines: tuple[Line, ...]
        field_added_later: str | None

    shown = escaped(View("<!here>", Status.APPROVED, (Line("a & <@U1>", Decimal("1.5")),), "<https://x|y>"))
    assert shown == View(
        "&lt;!here&gt;", Status.APPROVED, (Line("a &amp; &lt;@U1&gt;", Decimal("1.5")),), "&lt;https://x|y&gt;"
    )
    assert shown.status is Status.APPROVED


def test_a_document_link_has_our_label_and_a_url_that_could_set_its_own_is_not_linked():
    assert document_link("https://files.example.com/a.pdf?x=1&y=2") == (
        "<https://files.example.com/a.pdf?x=1&amp;y=2|Vendor invoice document>"
    )
    for bad in (
        "https://evil.example/doc.pdf|Approved by the CFO",
        "https://evil.example/<!channel>",
        "https://evil.example/a b",
        "javascript:alert(1)",
        "https://",
        "http://[::1",
        "ftp://files.example.com/a",
    ):
        assert document_link(bad) == "Vendor invoice document: link not shown, the ERP sent an invalid URL", bad
