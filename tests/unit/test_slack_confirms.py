"""The confirmation dialogs of Send and Return to Approved: what they say, plain text within Block Kit's limits."""

from decimal import Decimal

import pytest

from bot.buttons import elements
from bot.mrkdwn import ELLIPSIS
from bot.thread_lines import thread_line
from invoices.statuses import Action, Status
from services.views import InvoiceView, ThreadEntry
from tests.unit.views import invoice_view as view


def confirms(shown: InvoiceView) -> dict[str, dict | None]:
    return {e.text.text: e.to_dict().get("confirm") for e in elements("accounting", shown)}


def test_only_send_and_return_to_approved_ask_first():
    assert set(confirms(view(status=Status.APPROVED))) == {"Send to External System"}
    assert confirms(view(status=Status.FAILED))["Retry"] is None
    assert confirms(view(status=Status.FAILED))["Return to Approved"] is not None
    assert set(confirms(view(status=Status.PENDING_ACCOUNTING)).values()) == {None}


@pytest.mark.parametrize("status", [Status.APPROVED, Status.SENT, Status.SYNCHRONIZED, Status.FAILED])
def test_a_dialog_is_plain_text_as_typed_and_fits_block_kit_whatever_the_bill(status):
    shown = view(status=status, bill_number="A&B<!here>" * 40, bill_id="9" * 60, total=Decimal("123456789012.34"))
    for confirm in confirms(shown).values():
        if confirm is None:
            continue
        assert {part["type"] for part in confirm.values()} == {"plain_text"}
        assert len(confirm["title"]["text"]) <= 100 and len(confirm["text"]["text"]) <= 300
        assert len(confirm["confirm"]["text"]) <= 30 and len(confirm["deny"]["text"]) <= 30
        assert confirm["text"]["text"].endswith(ELLIPSIS) and "A&B<!here>" in confirm["text"]["text"]


def test_the_thread_line_of_a_return_to_approved_carries_its_reason_escaped():
    entry = ThreadEntry(
        id=1,
        actor="U0AP1",
        action=Action.RETURN_TO_APPROVED,
        from_status=Status.SYNCHRONIZED,
        detail="GL <!channel> & class",
    )
    assert thread_line(entry, "100482-FE-20931") == (
        ":leftwards_arrow_with_hook: Returned to Approved by <@U0AP1>: GL &lt;!channel&gt; &amp; class"
    )
