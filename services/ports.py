"""The ports the services call: QuickBooks, the Slack cards, the job queue, the ERP, Komet; adapters implement them."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from invoices.accounting import Terms
from invoices.bill import BillDraft
from invoices.books import CompanyBooks
from invoices.events import Event
from invoices.rules import Actor
from services.views import HomeView, InvoiceView, ThreadEntry


class QboTransient(Exception):
    """A QuickBooks failure that goes away by itself (timeout, 429, 5xx...); jobs raise it so RQ retries."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class QboThrottled(QboTransient):
    """QuickBooks (or our own per-company limiter) says: too many requests for this company now."""


class QboPermanent(Exception):
    """A refusal a person must fix; `code`, `element` and `detail` come from QuickBooks' Fault."""

    def __init__(self, message: str, code: int | None = None, detail: str = "", element: str | None = None):
        super().__init__(message)
        self.code, self.detail, self.element = code, detail, element


class QboBooksClosed(QboPermanent):
    """QuickBooks refused a Bill dated in a closed accounting period (5010 with that message, 6200, 6210)."""


class QboConnectionBroken(QboTransient):
    """QuickBooks refuses the app itself (403, a 401 after a refresh, invalid_grant, throttled for long).

    Not the invoice's fault, so it stays in ES; `kind` ("refused", "unauthorized", "token", "keys",
    "throttled") picks the fix the accounting channel is told.
    """

    def __init__(self, message: str, kind: str, retry_after: float | None = None):
        super().__init__(message, retry_after)
        self.kind = kind


@dataclass(frozen=True)
class BillRefs:
    """The QuickBooks ids a Bill draft's names resolve to, and what the company's books make of it.

    `currency` is sent as CurrencyRef (multicurrency companies only); `txn_date` and `note`, when set, date
    the Bill after a closed period (CLOSED_BOOKS=next_open_day) and say so in its PrivateNote. The accounting
    fields (invoices.accounting), each only when configured: APAccountRef, DepartmentRef, SalesTermRef, DueDate.
    """

    vendor_id: str
    item_id: str
    class_id: str | None = None
    currency: str | None = None
    txn_date: date | None = None
    note: str | None = None
    ap_account_id: str | None = None
    department_id: str | None = None
    term_id: str | None = None
    due_date: date | None = None


class FileRefused(Exception):
    """The invoice's file may not or cannot go on its Bill (URL not allowed, private address, too large, wrong type)."""


class FileUnavailable(Exception):
    """The invoice's file could not be fetched now (timeout, refused connection, 5xx); a later try may work."""


@dataclass(frozen=True)
class FetchedFile:
    """An invoice's file as fetched and checked: its name for QuickBooks, e.g. "FE-20931.pdf", its type and bytes."""

    name: str
    content_type: str
    data: bytes = field(repr=False)


class FileSource(Protocol):
    """Where invoices' files are fetched from (ATTACHMENT_ALLOWED_URLS); raises FileRefused or FileUnavailable."""

    def fetch(self, url: str) -> FetchedFile:
        """The file at `url`, at most 25 MiB and of a type QuickBooks accepts."""


class QuickBooks(Protocol):
    """One company's QuickBooks Online, as the sync and reconcile services use it."""

    realm_id: str

    def probe(self) -> None:
        """One cheap call that works only when QuickBooks accepts the connection (called while it is broken)."""

    def vendor_id(self, display_name: str) -> str:
        """The Id of the active Vendor named exactly `display_name`, else QboPermanent."""

    def item_id(self, name: str) -> str:
        """The Id of the Item named `name`, else QboPermanent."""

    def books(self) -> CompanyBooks:
        """The company's closing date, currencies and class tracking (its Preferences)."""

    def vendor_currency(self, display_name: str) -> str | None:
        """The CurrencyRef of the active Vendor named exactly `display_name`, else QboPermanent."""

    def classes(self) -> dict[str, str]:
        """Every active class id by name."""

    def account_id(self, name: str) -> str | None:
        """The Id of the active Accounts Payable account named `name` (or so fully named), else None."""

    def department_id(self, name: str) -> str | None:
        """The Id of the active location (Department) named `name` (or so fully named), else None."""

    def vendor_terms(self, display_name: str) -> Terms | None:
        """The payment terms (TermRef) of the active Vendor named exactly `display_name`; None when it has none."""

    def forget_references(self) -> None:
        """Drop cached vendor, item and class ids."""

    def forget_books(self) -> None:
        """Drop the cached books (Preferences), e.g. after QuickBooks refused a Bill for a period closed since."""

    def find_bills(self, doc_number: str, vendor_id: str) -> list[dict]:
        """Bills of this vendor with this DocNumber."""

    def find_bills_numbered(self, doc_numbers: Iterable[str]) -> list[dict]:
        """Bills of any vendor whose DocNumber is one of `doc_numbers`."""

    def first_creates(self, invoice_ids: Iterable[int]) -> set[int]:
        """Note that Bills of `invoice_ids` are about to be created; answers those never noted before."""

    def create_bill(self, draft: BillDraft, refs: BillRefs, request_id: str) -> dict:
        """Create one Bill, idempotently per `request_id`; answers the created Bill."""

    def batch_room(self) -> bool:
        """Whether a /batch request may be spent now."""

    def create_bills(
        self, items: dict[str, tuple[BillDraft, BillRefs]], request_id: str
    ) -> dict[str, dict | Exception]:
        """Create several Bills in one /batch request; each bId's Bill, QboPermanent or QboTransient."""

    def read(self, entity: str, entity_id: str) -> dict | None:
        """The current Bill or BillPayment with this Id, or None when it is gone."""

    def changes(self, since: datetime, entities: tuple[str, ...] = ("Bill", "BillPayment")) -> dict[str, list[dict]]:
        """`entities` changed since `since`, in one answer of at most 1,000 objects (a full one may be cut)."""

    def attachables(self, bill_id: str) -> list[dict]:
        """The file Attachables linked to this Bill, e.g. [{"Id": "5000", "FileName": "FE-20931.pdf", ...}]."""

    def attach(self, bill_id: str, file: FetchedFile) -> dict:
        """Upload `file` as an Attachable linked to the Bill; answers the Attachable (QboPermanent when refused)."""


class Publisher(Protocol):
    """Where committed events go: the one place that enqueues jobs."""

    def publish(self, events: Sequence[Event]) -> None:
        """Hand the events to their jobs; a lost event is found again by the sweeps."""


class SlackTransient(Exception):
    """Slack may take the call later (429, 5xx, a timeout, a dropped connection).

    `answered` is True when Slack answered with an error, so the call certainly had no effect.
    """

    def __init__(self, message: str, answered: bool = False):
        super().__init__(message)
        self.answered = answered


class SlackRefused(Exception):
    """Slack answered with an error, so the call had no effect; the message says what to fix."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class SlackStillRefused(SlackRefused):
    """Slack refused the same thing moments ago (already logged): not called again until a person can have fixed it."""


class CardGone(SlackRefused):
    """The card's message no longer exists in Slack (deleted by someone)."""


class SlackPaced(Exception):
    """Slack's limits are spoken for: the refresh should come back after `wait` seconds (nothing was called)."""

    def __init__(self, wait: float):
        super().__init__(f"Slack's posting limits are in use; trying again in {wait:.1f} s")
        self.wait = wait


@dataclass(frozen=True)
class SlackWork:
    """The Slack calls one refresh will make: card updates, and messages by channel; `actor` is who asked for it."""

    actor: str
    updates: int = 0
    posts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Posted:
    """Where Slack put a message."""

    channel: str
    ts: str


class CardPoster(Protocol):
    """The Slack side of the cards: renders an InvoiceView and posts it; raises SlackTransient or SlackRefused."""

    def post_card(self, kind: str, channel: str, view: InvoiceView) -> Posted:
        """Post a card of `kind` for the view."""

    def update_card(self, kind: str, posted: Posted, view: InvoiceView) -> None:
        """Redraw a card in place (CardGone when it was deleted)."""

    def mark_replaced(self, posted: Posted, view: InvoiceView, newer: Posted) -> None:
        """Turn an old revision's card into a notice pointing to the newer card, with no buttons."""

    def post_line(self, posted: Posted, entries: Sequence[ThreadEntry], view: InvoiceView) -> Posted:
        """Add one message telling the audit `entries` (one line each) to the card's thread."""

    def told_in_thread(self, posted: Posted) -> dict[int, str]:
        """The audit ids invoice-sync's messages in the card's thread tell, each with its message's ts."""

    def find_card(self, kind: str, channel: str, invoice_id: int, since: datetime) -> Posted | None:
        """The invoice's card of `kind` posted in `channel` since `since`, if Slack has one."""

    def admit(self, work: SlackWork, mode: str) -> None:
        """Take Slack's capacity for `work` ('urgent', 'bulk' or 'deferred'), or raise SlackPaced."""

    def backlog_seconds(self) -> float:
        """How far ahead bulk Slack work is booked: how far behind the cards are (0 when nothing waits)."""

    def post_notice(self, channel: str, text: str) -> Posted:
        """Post an operator notice (mrkdwn text) in `channel`, e.g. the QuickBooks connection alert."""


@dataclass(frozen=True)
class SlackPerson:
    """Who a Slack user is to invoice-sync: their roles from the approver lists (user groups read from Slack), and
    the lists that could not be checked (they count as not including the person), in words."""

    actor: Actor
    unchecked: tuple[str, ...] = ()


class HomeTab(Protocol):
    """The Slack side of the App Home: who a person is, and their Home tab; raises SlackTransient or SlackRefused."""

    def person(self, user_id: str) -> SlackPerson:
        """The person's roles as a card click would find them."""

    def publish(self, home: HomeView) -> None:
        """views.publish of the person's Home tab, each invoice linked to its card."""


@dataclass(frozen=True)
class ErpAnswer:
    """How the ERP answered one delivery: its HTTP status (None: no answer at all) and words for people."""

    status: int | None
    text: str
    retry_after: float | None = None


class ErpEndpoint(Protocol):
    """Where events are pushed (ERP_EVENTS_URL): one signed POST per attempt, never raising for an answer."""

    def deliver(self, event_id: int, body: bytes) -> ErpAnswer:
        """POST `body` signed as event `evt_<event_id>`; a timeout or refused connection is an answer too."""


class KometOutcome(StrEnum):
    """What one call to Komet came to: marked, refused (Komet's status 0, or an answer it never documents), or
    transient (no answer, 408, 429, 5xx: worth trying again)."""

    MARKED = "marked"
    REFUSED = "refused"
    TRANSIENT = "transient"


@dataclass(frozen=True)
class KometAnswer:
    """How Komet answered one mark: its outcome, words for people (Komet's message when it gave one), Retry-After."""

    outcome: KometOutcome
    text: str
    retry_after: float | None = None


class Komet(Protocol):
    """Komet Sales (KOMET_API_TOKEN): tells it a vendor invoice is Synchronized; never raises for an answer."""

    def mark_synchronized(self, po_number: str, invoice_number: str) -> KometAnswer:
        """One `vendor.invoice.mark.sync` call; a timeout or refused connection is an answer too."""


class Meter(Protocol):
    """Counts what the use cases did, for the operator's metrics (the adapter is metrics/meter.py)."""

    def sync_ended(self, status: str, why: Exception | str | None = None, adopted: bool = False) -> None:
        """A sync ended: S (`adopted`: our Bill found, not made), F (`why`: the refusal) or ES (retried after `why`)."""
