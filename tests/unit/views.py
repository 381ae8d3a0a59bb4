"""Read-model values for the unit tests of what cards and answers show."""

from datetime import UTC, date, datetime
from decimal import Decimal

from invoices.limits import (
    ATTACHMENT_URL,
    INVOICE_NUMBER,
    LINE_TEXT,
    MAX_CHARGES,
    MAX_LINES,
    PO_NUMBER,
    QB_ACCOUNTING_NAME,
    VENDOR_NAME,
)
from invoices.rules import Department, Outcome
from invoices.statuses import Status
from services.views import DecisionView, DuplicateView, InvoiceView, LineView


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


# Data whose every character grows the most when made safe for mrkdwn (bot.mrkdwn.neutral): a formatting character
# becomes a 15-character date token, '&' an entity, '<' and '>' entities, ':x:' an emoji code shown as typed.
WORST = "*&<:x:>_"


def worst(length: int) -> str:
    """`length` characters of WORST, repeated."""
    return (WORST * (length // len(WORST) + 1))[:length]


def largest_view(status: Status = Status.FAILED, **changes) -> InvoiceView:
    """An invoice with every field at its maximum (invoices/limits.py's column sizes: vendor name 200, QB accounting
    name 100, PO and invoice number 64, line text 500, 1,000 lines and 100 charges, a 2,000-character document URL),
    a 6,000-character sync error, blockers, ten 3,000-character notes, a 3,000-character setback reason, a possible
    duplicate, and three approvals by delegates."""
    at = datetime(2026, 11, 21, 14, 5, tzinfo=UTC)

    def decision(department, user, for_user, outcome=Outcome.APPROVED, reason=None):
        return DecisionView(department, outcome, user, at, reason, for_user_id=for_user)

    url = "https://files.example.com/" + "d" * (ATTACHMENT_URL - len("https://files.example.com/"))
    fields = dict(
        number=worst(INVOICE_NUMBER),
        po_number=worst(PO_NUMBER),
        vendor_name=worst(VENDOR_NAME),
        payee=worst(QB_ACCOUNTING_NAME),
        total=Decimal("999999999999.99"),
        attachment_url=url,
        lines=tuple(LineView(worst(LINE_TEXT), Decimal("999999999999.99")) for _ in range(MAX_LINES + MAX_CHARGES)),
        status=status,
        revision=2147483647,
        bill_number=worst(21),
        bill_id="9" * 20,
        last_error=worst(6000),
        approvals=(
            decision(Department.PROCUREMENT, "U0HELPER1", "U0BUYER1"),
            decision(Department.ACCOUNTING, "U0HELPER2", "U0ACCT1"),
            decision(Department.ACCOUNTING, "U0HELPER3", "U0ACCT2"),
        ),
        setback=decision(Department.ACCOUNTING, "U0HELPER2", "U0ACCT1", Outcome.RETURNED, worst(3000)),
        blockers=tuple(worst(500) for _ in range(5)),
        notes=tuple(worst(3000) for _ in range(10)),
        accounting_needed=2,
        possible_duplicate=DuplicateView(
            id=2147483646,
            number=worst(INVOICE_NUMBER),
            status=Status.PAID,
            currency="USD",
            total=Decimal("999999999999.99"),
            card_channel="C0PROCURE",
            card_ts="1700000000.000100",
        ),
    )
    return invoice_view(**{**fields, **changes})
