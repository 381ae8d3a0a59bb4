"""Pushing each invoice's ERP events in order, on §9's retry schedule, until delivered or given up on."""

import json
import logging
import random
from datetime import datetime, timedelta

from sqlalchemy import select, update

from invoices.events import ErpEventsWritten
from models import ErpEvent
from models.base import utcnow
from models.database import transaction
from services.erp.endpoint import is_gone, mark_gone
from services.ports import ErpAnswer
from services.runtime import Runtime

log = logging.getLogger(__name__)
# Seconds before each retry (§9: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h), each with jitter.
SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
JITTER = 0.1
RETRIED = {408, 429}
GONE = 410
LOCK_SECONDS = 60


def lock_name(invoice_id: int) -> str:
    """The lock that keeps one invoice's events in a single line, whichever worker pushes them."""
    return f"erp-events:{invoice_id}"


def body_bytes(body: dict) -> bytes:
    """The exact bytes pushed (and signed) for a stored body: the same on every attempt."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def deliver_events(runtime: Runtime, invoice_id: int) -> datetime | None:
    """Push the invoice's due events oldest first; answers when the next attempt is due, if one waits."""
    with runtime.locks.hold(lock_name(invoice_id), LOCK_SECONDS, busy=f"invoice {invoice_id}'s ERP events are busy"):
        while not is_gone(runtime):
            event = _next_event(runtime, invoice_id)
            if event is None:
                return None
            if event.next_attempt_at > utcnow():
                return event.next_attempt_at
            answer = runtime.erp.deliver(event.id, body_bytes(event.body))
            due = _settle(runtime, event, answer)
            if due is not None:
                return due
    return None


def _next_event(runtime: Runtime, invoice_id: int) -> ErpEvent | None:
    # Events written while no ERP_EVENTS_URL was set have no attempt due: they are in the feed only.
    with runtime.sessions() as session:
        return session.scalars(
            select(ErpEvent)
            .where(ErpEvent.invoice_id == invoice_id, ErpEvent.next_attempt_at.is_not(None))
            .order_by(ErpEvent.sequence)
            .limit(1)
        ).first()


def _settle(runtime: Runtime, event: ErpEvent, answer: ErpAnswer) -> datetime | None:
    """Record one attempt's answer; answers when to try again (a retry), or None to go on with the next event."""
    now, attempts = utcnow(), event.attempts + 1
    fields = {"attempts": attempts, "last_answer": answer.text}
    due = None
    if answer.status is not None and 200 <= answer.status < 300:
        fields.update(next_attempt_at=None, delivered_at=now)
    elif answer.status == GONE:
        mark_gone(runtime, answer.text)
        fields.update(attempts=event.attempts)
        due = now
    elif _retried(answer) and attempts <= len(SCHEDULE):
        wait = SCHEDULE[attempts - 1] * random.uniform(1 - JITTER, 1 + JITTER)
        due = now + timedelta(seconds=max(wait, answer.retry_after or 0))
        fields.update(next_attempt_at=due)
    else:
        log.warning("ERP event evt_%s of invoice %s is dead: %s", event.id, event.invoice_id, answer.text)
        fields.update(next_attempt_at=None, dead_at=now)
    with transaction(runtime.sessions) as session:
        session.execute(update(ErpEvent).where(ErpEvent.id == event.id).values(**fields))
    return due


def _retried(answer: ErpAnswer) -> bool:
    return answer.status is None or answer.status in RETRIED or answer.status >= 500


def due_invoices(runtime: Runtime, limit: int = 500) -> list[int]:
    """The invoices with an event whose attempt is due now, oldest first; none while the endpoint is gone."""
    if runtime.settings.erp_events_url is None or is_gone(runtime):
        return []
    with runtime.sessions() as session:
        rows = session.execute(
            select(ErpEvent.invoice_id, ErpEvent.next_attempt_at)
            .where(ErpEvent.next_attempt_at <= utcnow())
            .order_by(ErpEvent.next_attempt_at)
            .limit(limit * 4)
        )
        return list(dict.fromkeys(invoice_id for invoice_id, _ in rows))[:limit]


def replay_dead(runtime: Runtime, invoice_ids: list[int] | None = None) -> int:
    """Give dead events (of these invoices, or all) a new schedule from now and push them; answers how many."""
    now = utcnow()
    with transaction(runtime.sessions) as session:
        where = [ErpEvent.dead_at.is_not(None)]
        if invoice_ids is not None:
            where.append(ErpEvent.invoice_id.in_(invoice_ids))
        invoices = list(dict.fromkeys(session.scalars(select(ErpEvent.invoice_id).where(*where))))
        count = session.execute(
            update(ErpEvent).where(*where).values(dead_at=None, attempts=0, next_attempt_at=now)
        ).rowcount
    runtime.publisher.publish([ErpEventsWritten(invoice_id) for invoice_id in invoices])
    return count
