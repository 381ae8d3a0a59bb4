"""A person's App Home (docs/slack.md): what waits for them now, published each time they open the Home tab.

The listener only enqueues (HomeOpened); this runs in the job: the person's roles (user groups read from Slack, and
the roles delegated to them), what waits for them as `/invoice pending` finds it, oldest first, and for A/P senders
the failed syncs with their errors, then one views.publish through the HomeTab port.
"""

import logging
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from invoices.rules import Role
from invoices.statuses import Status
from models import DelegationGrant, Invoice, InvoiceRevision, SlackCard, Vendor
from models.base import utcnow
from services.changes.delegations import with_delegated_roles
from services.ports import SlackRefused
from services.read.cards import CardKind
from services.read.lookup import MAX_WAITING, waiting_ids
from services.runtime import Runtime
from services.views import HomeDelegation, HomeLine, HomeView

log = logging.getLogger(__name__)
# The most one list of a Home tab can show (100 blocks); more are counted, not read.
HOME_LINES = 100


def publish_home(runtime: Runtime, user_id: str) -> HomeView:
    """Publish `user_id`'s Home tab; a Slack refusal is logged (nothing to retry), a passing failure raised."""
    person = runtime.home.person(user_id)
    now = utcnow()
    with runtime.sessions() as session:
        actor = with_delegated_roles(session, person.actor)
        ids = waiting_ids(session, actor, MAX_WAITING)
        failed = [i for i, status in ids if status is Status.FAILED]
        waiting = [i for i, status in ids if status is not Status.FAILED]
        home = HomeView(
            user_id=user_id,
            has_roles=bool(actor.roles),
            waiting=home_lines(session, waiting[:HOME_LINES], now),
            waiting_total=len(waiting),
            failed=home_lines(session, failed[:HOME_LINES], now) if Role.AP_SENDER in actor.roles else (),
            failed_total=len(failed) if Role.AP_SENDER in actor.roles else 0,
            delegations=delegations_of(session, user_id, now),
            unchecked=person.unchecked,
        )
    try:
        runtime.home.publish(home)
    except SlackRefused as refused:
        log.error("the Home tab of %s was not published: %s", user_id, refused)
    return home


def home_lines(session: Session, ids: list[int], now: datetime) -> tuple[HomeLine, ...]:
    """The Home tab's line of each invoice of `ids`, in that order, with the card to link to."""
    if not ids:
        return ()
    rows = session.execute(
        select(Invoice.id, Invoice.number, Vendor.name, InvoiceRevision.currency, InvoiceRevision.total)
        .add_columns(Invoice.status, Invoice.stage_since, Invoice.last_error)
        .join(Invoice.vendor)
        .join(InvoiceRevision, InvoiceRevision.invoice_id == Invoice.id)
        .where(InvoiceRevision.number == Invoice.revision)
        .where(Invoice.id.in_(ids))
    ).all()
    cards = {
        (invoice_id, kind): (channel, ts)
        for invoice_id, kind, channel, ts in session.execute(
            select(SlackCard.invoice_id, SlackCard.kind, SlackCard.channel, SlackCard.ts).where(
                SlackCard.invoice_id.in_(ids)
            )
        )
    }
    lines = {}
    for invoice_id, number, vendor, currency, total, status, since, error in rows:
        # The card of the department that must act: Procurement's while it waits there, else Accounting's (A/P acts
        # there too), or Procurement's when no accounting card was posted yet.
        kinds = [CardKind.PROCUREMENT] if status == Status.PENDING_PROCUREMENT else [CardKind.ACCOUNTING]
        card = next((cards[(invoice_id, k)] for k in (*kinds, CardKind.PROCUREMENT) if (invoice_id, k) in cards), None)
        lines[invoice_id] = HomeLine(
            id=invoice_id,
            number=number,
            vendor_name=vendor,
            currency=currency,
            total=total,
            status=Status(status),
            waited=int((now - since).total_seconds()),
            card_channel=card[0] if card else None,
            card_ts=card[1] if card else None,
            error=error if status == Status.FAILED else None,
        )
    return tuple(lines[i] for i in ids if i in lines)


def delegations_of(session: Session, user_id: str, now: datetime) -> tuple[HomeDelegation, ...]:
    """The delegations holding today (through their last day, UTC) that `user_id` gave or acts on."""
    grants = session.execute(
        select(DelegationGrant.delegator, DelegationGrant.delegate, DelegationGrant.until)
        .where(
            or_(DelegationGrant.delegator == user_id, DelegationGrant.delegate == user_id),
            DelegationGrant.ended_at.is_(None),
            DelegationGrant.until >= now.date(),
        )
        .order_by(DelegationGrant.id)
    ).all()
    return tuple(HomeDelegation(delegator, delegate, until) for delegator, delegate, until in grants)
