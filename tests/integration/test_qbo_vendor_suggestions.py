"""A QB accounting name QuickBooks has no vendor for: the failure, the card and /invoice status name the closest
vendor names of the company's list (issue 16 item 3); through the real python-quickbooks against the sandbox."""

from bot.answers import status_answer
from bot.cards import card_blocks
from services.read.lookup import find_invoices
from services.read.view import load_view
from tests.builders import settle, stored
from tests.integration.test_qbo_names_beyond_ascii import seed, sent, vendor_reads

MEANT = "did you mean 'Rosaprima S.A.'?"


def test_a_name_quickbooks_lacks_fails_naming_the_closest_vendors_on_the_card_and_in_status(qbo_runtime, sandbox):
    seed(sandbox, ["Rosaprima S.A.", "Rosas del Ecuador S.A."])
    invoice_id = sent(qbo_runtime, "FE-1", "Rosaprima SA")
    assert settle(qbo_runtime, invoice_id) == "F"
    error = stored(qbo_runtime, invoice_id).last_error
    assert error.startswith(f"QuickBooks has no active vendor named exactly 'Rosaprima SA'; {MEANT}"), error
    assert "upload the invoice again" in error and sandbox.bills() == []
    with qbo_runtime.sessions() as session:
        view = load_view(session, invoice_id, qbo_runtime.numbering)
        found = find_invoices(session, "FE-1", qbo_runtime.numbering)
    card = "\n".join(str(block.to_dict()) for block in card_blocks("accounting", view))
    assert MEANT in card and MEANT in status_answer("FE-1", found)


def test_the_hints_come_from_the_cached_list_without_another_read(qbo_runtime, sandbox):
    seed(sandbox, ["Rosaprima S.A."])
    assert settle(qbo_runtime, sent(qbo_runtime, "FE-1")) == "S"  # the list is read and cached
    reads = len(vendor_reads(sandbox))
    invoice_id = sent(qbo_runtime, "FE-2", "rosaprima")
    assert settle(qbo_runtime, invoice_id) == "F"
    assert MEANT in stored(qbo_runtime, invoice_id).last_error
    assert len(vendor_reads(sandbox)) == reads + 1  # the one fresh read a miss earns, none for the hints
