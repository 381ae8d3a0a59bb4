"""The ERP endpoint gone (410): delivery stops for every event until the operator resumes it, told once."""

import logging
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from models import ErpEndpoint
from models.base import utcnow
from models.database import transaction
from services.ports import SlackRefused, SlackTransient
from services.runtime import Runtime

log = logging.getLogger(__name__)
ROW = 1
# A claimed alert whose post never finished (the worker died) may be claimed again after this.
ALERT_CLAIM = timedelta(minutes=2)


def is_gone(runtime: Runtime) -> bool:
    """Whether the ERP answered 410 and the operator has not resumed delivery since."""
    with runtime.sessions() as session:
        return session.scalar(select(ErpEndpoint.gone_since).where(ErpEndpoint.id == ROW)) is not None


def mark_gone(runtime: Runtime, answer: str) -> None:
    """Stop all delivery: the ERP said its endpoint is gone; the accounting channel is told once."""
    now = utcnow()
    try:
        with transaction(runtime.sessions) as session:
            if session.get(ErpEndpoint, ROW) is None:
                session.add(ErpEndpoint(id=ROW))
                session.flush()
    except IntegrityError:
        pass
    with transaction(runtime.sessions) as session:
        session.execute(
            update(ErpEndpoint)
            .where(ErpEndpoint.id == ROW, ErpEndpoint.gone_since.is_(None))
            .values(gone_since=now, gone_answer=answer)
        )
    post_gone_alert(runtime)


def post_gone_alert(runtime: Runtime) -> bool:
    """Post the one alert of a gone endpoint unless it was posted; True when this call posted it."""
    now = utcnow()
    with transaction(runtime.sessions) as session:
        claimed = session.execute(
            update(ErpEndpoint)
            .where(
                ErpEndpoint.id == ROW,
                ErpEndpoint.gone_since.is_not(None),
                ErpEndpoint.alert_ts.is_(None),
                or_(ErpEndpoint.alert_claimed_at.is_(None), ErpEndpoint.alert_claimed_at <= now - ALERT_CLAIM),
            )
            .values(alert_claimed_at=now)
        ).rowcount
        answer = session.scalar(select(ErpEndpoint.gone_answer).where(ErpEndpoint.id == ROW))
    if not claimed:
        return False
    text = (
        f":no_entry: The ERP answered 410 Gone at {runtime.settings.erp_events_url} ({answer}): invoice-sync has "
        "stopped pushing status events to it. Events keep being recorded; once the ERP's endpoint is fixed (or "
        "ERP_EVENTS_URL changed), resume delivery and every waiting event is sent in order."
    )
    try:
        posted = runtime.cards.post_notice(runtime.settings.slack_accounting_channel, text)
    except (SlackTransient, SlackRefused) as error:
        log.warning("the ERP-gone alert was not posted yet: %s", error)
        with transaction(runtime.sessions) as session:
            session.execute(update(ErpEndpoint).where(ErpEndpoint.id == ROW).values(alert_claimed_at=None))
        return False
    with transaction(runtime.sessions) as session:
        session.execute(update(ErpEndpoint).where(ErpEndpoint.id == ROW).values(alert_ts=posted.ts))
    return True


def resume_delivery(runtime: Runtime) -> bool:
    """The operator fixed the endpoint: delivery starts again; answers whether it was stopped."""
    with transaction(runtime.sessions) as session:
        return (
            session.execute(
                update(ErpEndpoint)
                .where(ErpEndpoint.id == ROW, ErpEndpoint.gone_since.is_not(None))
                .values(gone_since=None, gone_answer=None, alert_claimed_at=None, alert_ts=None)
            ).rowcount
            == 1
        )
