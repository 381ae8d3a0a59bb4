"""One transaction per use case; the ERP events of its changes go in last, its events publish after commit."""

from sqlalchemy.orm import Session

from invoices.events import ErpEventsWritten, Event
from models.database import transaction
from services.changes.outbox import Change, write_events
from services.runtime import Runtime


class UnitOfWork:
    """`with UnitOfWork(runtime) as uow:` a session in a transaction, `uow.emit(event)` for after commit, and
    `uow.note(change)` for the ERP's outbox."""

    session: Session

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.events: list[Event] = []
        self.changes: list[Change] = []

    def __enter__(self) -> "UnitOfWork":
        self._transaction = transaction(self.runtime.sessions)
        self.session = self._transaction.__enter__()
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if kind is None and self.changes:
            try:
                self._write_outbox()
            except BaseException as failure:
                self._transaction.__exit__(type(failure), failure, failure.__traceback__)
                raise
        self._transaction.__exit__(kind, error, traceback)
        if kind is None and self.events:
            self.runtime.publisher.publish(self.events)
        return False

    def emit(self, event: Event) -> None:
        """Publish `event` after this unit of work commits (never if it rolls back)."""
        self.events.append(event)

    def note(self, change: Change) -> None:
        """Tell the ERP of `change`: its event row is written with this unit of work, just before it commits."""
        self.changes.append(change)

    def _write_outbox(self) -> None:
        pushed = self.runtime.settings.erp_events_url is not None
        written = write_events(self.session, self.changes, pushed)
        if pushed:
            self.events.extend(ErpEventsWritten(invoice_id) for invoice_id in dict.fromkeys(written))
