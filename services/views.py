"""The read model's plain values: what cards, thread lines and /invoice answers show, free of the ORM."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from invoices.audit import Audited
from invoices.rules import Department, Outcome
from invoices.statuses import Status


@dataclass(frozen=True)
class DecisionView:
    """One department's approval, rejection or return."""

    department: Department
    outcome: Outcome
    user_id: str
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class LineView:
    """A product line or charge as one sentence and its amount."""

    text: str
    amount: Decimal


@dataclass(frozen=True)
class ErpDelivery:
    """What the ERP heard of an invoice: events delivered, waiting and dead, the last status it was told."""

    delivered: int
    waiting: int
    dead: int
    last_told: Status | None
    dead_answer: str | None
    paused: bool


@dataclass(frozen=True)
class InvoiceView:
    """Everything a card or an answer shows about one invoice."""

    id: int
    number: str
    po_number: str
    vendor_name: str
    payee: str | None
    ship_date: date
    currency: str
    total: Decimal
    attachment_url: str | None
    lines: tuple[LineView, ...]
    status: Status
    revision: int
    bill_number: str
    bill_id: str | None
    last_error: str | None
    approvals: tuple[DecisionView, ...]
    setback: DecisionView | None
    blockers: tuple[str, ...]
    # What people should know that blocks nothing, e.g. that Komet cannot be told of the invoice.
    notes: tuple[str, ...] = ()
    erp: ErpDelivery | None = None


@dataclass(frozen=True)
class ThreadEntry:
    """An allowed audit entry as a card's thread tells it: who did what, from which status, and why."""

    id: int
    actor: str
    action: Audited
    from_status: Status | None
    detail: str | None
