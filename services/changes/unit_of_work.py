"""One transaction per use case; the events it raises are published only once it committed."""

from sqlalchemy.orm import Session

from invoices.events import Event
from models.database import transaction
from services.runtime import Runtime


class UnitOfWork:
    """`with UnitOfWork(runtime) as uow:` a session in a transaction, and `uow.emit(event)` for after commit."""

    session: Session

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.events: list[Event] = []

    def __enter__(self) -> "UnitOfWork":
        self._transaction = transaction(self.runtime.sessions)
        self.session = self._transaction.__enter__()
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        self._transaction.__exit__(kind, error, traceback)
        if kind is None and self.events:
            self.runtime.publisher.publish(self.events)
        return False

    def emit(self, event: Event) -> None:
        """Publish `event` after this unit of work commits (never if it rolls back)."""
        self.events.append(event)
