"""What a process needs to do work: settings, database sessions, Redis, and the adapters behind the ports."""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from invoices.numbering import BillNumbering
from models.database import make_engine, make_sessions
from services.locks import Locks
from services.ports import CardPoster, Publisher, QuickBooks
from services.redis_connection import redis_connection
from settings import Settings


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

    def quickbooks(self, realm_id: str | None = None) -> QuickBooks:
        """A QuickBooks gateway for one job: the connected company, or `realm_id`."""
        return self.wiring.quickbooks(self, realm_id)

    def with_settings(self, **changes) -> "Runtime":
        """The same connections with some settings changed (adapters are rebuilt on them)."""
        return Runtime(self.settings.model_copy(update=changes), self.engine, self.sessions, self.redis, self.wiring)


def build_runtime(settings: Settings, wiring: Wiring) -> Runtime:
    """Connect to the database and Redis named by `settings`."""
    engine = make_engine(settings.resolved_database_url())
    redis = redis_connection(settings.redis_url, settings.instance_dir)
    return Runtime(settings, engine, make_sessions(engine), redis, wiring)
