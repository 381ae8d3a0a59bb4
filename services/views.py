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
    # Whom `user_id` acted for as a delegate ("X for Y"), if anyone.
    for_user_id: str | None = None


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
class DuplicateView:
    """The earlier invoice an upload may duplicate, as it is now, with its card to link to (channel and ts)."""

    id: int
    number: str
    status: Status
    currency: str
    total: Decimal
    card_channel: str | None = None
    card_ts: str | None = None


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
    # Accounting approvals this invoice needs: 2 above ACCOUNTING_SECOND_APPROVAL_ABOVE.
    accounting_needed: int = 1
    # The vendor's earlier invoice with the same number retyped (§8), when the upload was flagged.
    possible_duplicate: DuplicateView | None = None


@dataclass(frozen=True)
class ThreadEntry:
    """An allowed audit entry as a card's thread tells it: who did what, from which status, and why."""

    id: int
    actor: str
    action: Audited
    from_status: Status | None
    detail: str | None


@dataclass(frozen=True)
class HomeLine:
    """One invoice on a person's Home tab: what it is, how long it has waited in its status (seconds), the card
    to link to (channel and ts, when posted) and, for a failed sync, its error."""

    id: int
    number: str
    vendor_name: str
    currency: str
    total: Decimal
    status: Status
    waited: int
    card_channel: str | None = None
    card_ts: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class HomeDelegation:
    """A delegation that holds now: `delegate` acts with `delegator`'s approvals through `until` (UTC)."""

    delegator: str
    delegate: str
    until: date


@dataclass(frozen=True)
class HomeView:
    """A person's App Home: what waits for them, oldest first (at most a Home's worth, with how many in all), the
    failed syncs for A/P senders, the delegations they gave or hold, and the role lists Slack could not check."""

    user_id: str
    has_roles: bool
    waiting: tuple[HomeLine, ...] = ()
    waiting_total: int = 0
    failed: tuple[HomeLine, ...] = ()
    failed_total: int = 0
    delegations: tuple[HomeDelegation, ...] = ()
    unchecked: tuple[str, ...] = ()
