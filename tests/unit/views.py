"""Read-model values for the unit tests of what cards and answers show."""

from datetime import date
from decimal import Decimal

from invoices.statuses import Status
from services.views import InvoiceView


def invoice_view(**changes) -> InvoiceView:
    """The example invoice, Approved, as a card shows it, with `changes`."""
    fields = dict(
        id=7,
        number="FE-20931",
        po_number="100482",
        vendor_name="Flores de la Sabana",
        payee="Flores SAS",
        ship_date=date(2026, 11, 20),
        currency="USD",
        total=Decimal("1093.50"),
        attachment_url=None,
        lines=(),
        status=Status.APPROVED,
        revision=1,
        bill_number="100482-FE-20931",
        bill_id=None,
        last_error=None,
        approvals=(),
        setback=None,
        blockers=(),
    )
    return InvoiceView(**{**fields, **changes})
