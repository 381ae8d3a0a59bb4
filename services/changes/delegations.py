"""Granting, ending and reading delegations of approval roles; a delegate's actions go through the one path."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from invoices.audit import AuditKind
from invoices.delegation import APPROVER_ROLES, Delegation, delegation_refusal
from invoices.rules import Actor, Role
from models import DelegationGrant
from models.base import utcnow
from models.database import transaction
from services.changes.audit import record_audit
from services.runtime import Runtime


@dataclass(frozen=True)
class Granted:
    """A delegation as people see it: who for whom, with which roles, through which day (UTC)."""

    delegator: str
    delegate: str
    roles: frozenset[Role]
    until: date


def _granted(row: DelegationGrant) -> Granted:
    return Granted(row.delegator, row.delegate, frozenset(Role(r) for r in row.roles.split(",") if r), row.until)


def _active(today: date):
    return (DelegationGrant.ended_at.is_(None), DelegationGrant.until >= today)


def active_for(session: Session, delegate: str) -> list[Delegation]:
    """The delegations `delegate` may act on now, oldest first (a delegation holds through its last day, UTC)."""
    rows = session.scalars(
        select(DelegationGrant)
        .where(DelegationGrant.delegate == delegate, *_active(utcnow().date()))
        .order_by(DelegationGrant.id)
    )
    return [Delegation(g.delegator, g.roles) for g in map(_granted, rows)]


def with_delegated_roles(session: Session, actor: Actor) -> Actor:
    """`actor` with the approval roles delegated to them now, e.g. to list what waits for them."""
    delegated = frozenset().union(*(d.roles for d in active_for(session, actor.id)))
    return Actor(actor.id, actor.roles | delegated, actor.for_id) if delegated else actor


def current_delegation(session: Session, delegator: str) -> Granted | None:
    """The delegation `delegator` has given that holds now, if any."""
    row = session.scalars(
        select(DelegationGrant)
        .where(DelegationGrant.delegator == delegator, *_active(utcnow().date()))
        .order_by(DelegationGrant.id.desc())
        .limit(1)
    ).first()
    return _granted(row) if row else None


def delegate(runtime: Runtime, delegator: Actor, delegate_id: str, until: date) -> Granted | str:
    """Let `delegate_id` act with the delegator's approval roles through `until` (UTC); a refusal is a reason.

    A new delegation replaces the delegator's current one. Granted or refused, it is audited."""
    roles = delegator.roles & APPROVER_ROLES
    today = utcnow().date()
    refusal = delegation_refusal(delegator.roles, delegator.id, delegate_id, (until - today).days)
    detail = f"to {delegate_id} until {until.isoformat()} ({', '.join(sorted(roles)) or 'no approval role'})"
    with transaction(runtime.sessions) as session:
        record_audit(
            session,
            invoice_id=None,
            actor=delegator.id,
            action=AuditKind.DELEGATION,
            outcome="refused" if refusal else "allowed",
            detail=f"{detail}: {refusal}" if refusal else detail,
        )
        if refusal:
            return refusal
        _end(session, delegator.id)
        session.add(
            DelegationGrant(delegator=delegator.id, delegate=delegate_id, roles=",".join(sorted(roles)), until=until)
        )
    return Granted(delegator.id, delegate_id, roles, until)


def end_delegation(runtime: Runtime, delegator: str) -> bool:
    """End the delegator's current delegation now; answers whether there was one."""
    with transaction(runtime.sessions) as session:
        ended = _end(session, delegator)
        if ended:
            record_audit(
                session,
                invoice_id=None,
                actor=delegator,
                action=AuditKind.DELEGATION,
                outcome="allowed",
                detail="ended",
            )
    return ended


def _end(session: Session, delegator: str) -> bool:
    return (
        session.execute(
            update(DelegationGrant)
            .where(DelegationGrant.delegator == delegator, DelegationGrant.ended_at.is_(None))
            .values(ended_at=utcnow())
        ).rowcount
        > 0
    )
