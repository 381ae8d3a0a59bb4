"""What a card offers, from the domain table alone, what its buttons carry, and how it shows money."""

from decimal import Decimal

import pytest

from bot.buttons import BadButtonValue, Clicked, allowed_buttons, button_value, parse_value
from bot.cards import money
from invoices.statuses import Status
from services.cards import CardKind


def test_buttons_follow_the_domain_table_for_every_status():
    shown = {
        (kind, status): [b.label for b in allowed_buttons(kind, status)]
        for kind in CardKind for status in Status
    }
    assert shown[("procurement", Status.PENDING_PROCUREMENT)] == ["Approve", "Reject"]
    assert shown[("accounting", Status.PENDING_ACCOUNTING)] == ["Approve", "Reject", "Return to Procurement"]
    assert shown[("accounting", Status.APPROVED)] == ["Send to External System"]
    assert shown[("accounting", Status.SYNCHRONIZED)] == ["Return to Approved"]
    assert shown[("accounting", Status.SENT)] == ["Return to Approved"]
    assert all(not labels for (kind, status), labels in shown.items()
               if status in (Status.REJECTED, Status.PAID) or (kind == "procurement" and status != Status.PENDING_PROCUREMENT))


def test_money_on_the_card_is_exact():
    assert money(Decimal("1093.5"), "USD") == "USD 1,093.50"


def test_a_button_carries_the_invoice_the_status_shown_and_the_number_which_may_hold_colons():
    value = button_value(7, Status.PENDING_ACCOUNTING, "FE:2026:1")
    assert value == "7:AA:FE:2026:1"
    assert parse_value(value) == Clicked(7, Status.PENDING_ACCOUNTING, "FE:2026:1")
    assert parse_value("7:AP") == Clicked(7, Status.PENDING_PROCUREMENT, "id 7")  # a card drawn before numbers
    for bad in ("", "7", "x:AP", "7:ZZ:FE-1"):
        with pytest.raises(BadButtonValue):
            parse_value(bad)
