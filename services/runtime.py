"""What a process needs to do work: settings, database sessions, Redis, and the adapters behind the ports."""

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from invoices.numbering import BillNumbering
from services.locks import Locks
from services.ports import CardPoster, ErpEndpoint, FileSource, HomeTab, Komet, Meter, Publisher, QuickBooks
from settings import Settings

if TYPE_CHECKING:
    from services.connection.health import ConnectionHealth


class Wiring(Protocol):
    """Builds the adapters of a runtime; the real one is `bootstrap.AppWiring`, tests pass fakes."""

    def publisher(self, runtime: "Runtime") -> Publisher:
        """The publisher of committed events."""

    def locks(self, runtime: "Runtime") -> Locks:
        """The locks every process shares."""

    def quickbooks(self, runtime: "Runtime", realm_id: str | None) -> QuickBooks:
        """The QuickBooks gateway of `realm_id` (None: the connected company)."""

    def cards(self, runtime: "Runtime") -> CardPoster:
        """The Slack card poster."""

    def home(self, runtime: "Runtime") -> HomeTab:
        """The Slack side of the App Home."""

    def files(self, runtime: "Runtime") -> FileSource:
        """Where invoices' files are fetched from (ATTACHMENT_ALLOWED_URLS)."""

    def health(self, runtime: "Runtime") -> "ConnectionHealth":
        """The health of the stored QuickBooks connections."""

    def erp(self, runtime: "Runtime") -> ErpEndpoint:
        """The ERP endpoint events are pushed to (only called with ERP_EVENTS_URL set)."""

    def komet(self, runtime: "Runtime") -> Komet:
        """Komet Sales at KOMET_API_URL (only called with KOMET_API_TOKEN set)."""

    def meter(self, runtime: "Runtime") -> Meter:
        """Where the use cases count what they did (the metrics)."""


@dataclass
class Runtime:
    """One per process: built once from the settings at start-up and passed to the entry points."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    redis: Redis
    wiring: Wiring = field(repr=False)

    @cached_property
    def numbering(self) -> BillNumbering:
        """The Bill numbering policy of BILL_NUMBER_FORMAT."""
        return BillNumbering(self.settings.bill_number_format)

    @cached_property
    def publisher(self) -> Publisher:
        """Where units of work publish their events after commit."""
        return self.wiring.publisher(self)

    @cached_property
    def locks(self) -> Locks:
        """The shared locks."""
        return self.wiring.locks(self)

    @cached_property
    def cards(self) -> CardPoster:
        """The Slack side of the cards."""
        return self.wiring.cards(self)

    @cached_property
    def home(self) -> HomeTab:
        """The Slack side of the App Home."""
        return self.wiring.home(self)

    @cached_property
    def files(self) -> FileSource:
        """The fetcher of invoices' files."""
        return self.wiring.files(self)

    @cached_property
    def health(self) -> "ConnectionHealth":
        """The health of the stored QuickBooks connections, the one place it is built."""
        return self.wiring.health(self)

    @cached_property
    def erp(self) -> ErpEndpoint:
        """The ERP endpoint of ERP_EVENTS_URL."""
        return self.wiring.erp(self)

    @cached_property
    def komet(self) -> Komet:
        """Komet Sales of KOMET_API_TOKEN."""
        return self.wiring.komet(self)

    @cached_property
    def meter(self) -> Meter:
        """The metrics' counters of what the use cases did."""
        return self.wiring.meter(self)

    def quickbooks(self, realm_id: str | None = None) -> QuickBooks:
        """A QuickBooks gateway for one job: the connected company, or `realm_id`."""
        return self.wiring.quickbooks(self, realm_id)
