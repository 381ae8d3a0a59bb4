"""The example invoice of docs/interfaces.md as mapping facts and Bill drafts, for the tests that need no database."""

from datetime import date
from decimal import Decimal as D

from invoices.bill import BillDraft, InvoiceFacts, LineFacts, draft_bill, trace
from invoices.numbering import BillNumbering

NUMBERING = BillNumbering("{po_number}-{invoice_number}")
ITEM = "Fresh Cut Flowers"
VENDOR = "Flores de la Sabana SAS"


def facts(**changes) -> InvoiceFacts:
    """The example invoice (id 7, revision 1, Bill 100482-FE-20931, total 1093.50), with `changes`."""
    base = dict(
        invoice_id=7,
        revision=1,
        po_number="100482",
        invoice_number="FE-20931",
        vendor_code="FLORSAB",
        vendor_qb_name=VENDOR,
        vendor_default_class=None,
        po_class="Miami",
        ship_date=date(2026, 11, 20),
        total=D("1093.50"),
        lines=(
            LineFacts("Rose Freedom 50cm", D("384.00"), 1200, D("0.3200")),
            LineFacts("Carnation Fancy White", D("675.00"), 2500, D("0.2700")),
        ),
        charges=(LineFacts("Handling", D("34.50")),),
    )
    return InvoiceFacts(**{**base, **changes})


def draft(invoice_id: int = 7, **changes) -> BillDraft:
    """The Bill draft of invoice `invoice_id`, numbered FE-<20924 + id> so each invoice has its own number."""
    changes.setdefault("invoice_number", f"FE-{20924 + invoice_id}")
    return draft_bill(facts(invoice_id=invoice_id, **changes), NUMBERING)


def note_of(invoice_id: int = 7, revision: int | None = 1, **changes) -> str:
    """The PrivateNote invoice-sync writes on the Bill of that invoice revision."""
    note = trace(facts(invoice_id=invoice_id, revision=revision or 1, **changes))
    return note if revision is not None else note.replace(" r1]", "]")
