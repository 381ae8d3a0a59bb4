"""Acting for someone who delegated their approval roles: who stands in, and which grants are refused."""

from dataclasses import dataclass, field

from invoices.rules import Actor, Role

APPROVER_ROLES = frozenset({Role.PROCUREMENT_APPROVER, Role.ACCOUNTING_APPROVER})
# A delegation holds at most this many days ahead.
LONGEST_DAYS = 366


@dataclass(frozen=True)
class Delegation:
    """`delegator` lets their delegate act with `roles` (their approval roles) until the end of a day."""

    delegator: str
    roles: frozenset[Role] = field(default_factory=frozenset)


def stand_in(actor: Actor, role: Role, delegations: list[Delegation]) -> Actor:
    """`actor` as they may act for `role`: themselves if they hold it, else for the first person who delegated it."""
    if role in actor.roles or role not in APPROVER_ROLES:
        return actor
    for delegation in delegations:
        if role in delegation.roles and delegation.delegator != actor.id:
            return Actor(actor.id, actor.roles | {role}, for_id=delegation.delegator)
    return actor


def delegation_refusal(delegator_roles: frozenset[Role], delegator: str, delegate: str, days_ahead: int) -> str | None:
    """Why this delegation may not be granted (None when it may), e.g. a date in the past."""
    if not delegator_roles & APPROVER_ROLES:
        return "Only a Procurement or Accounting approver can delegate their approvals."
    if delegate == delegator:
        return "You cannot delegate to yourself."
    if days_ahead < 0:
        return "That date is in the past; give the last day the delegation should hold, today or later."
    if days_ahead > LONGEST_DAYS:
        return "A delegation may hold for at most a year; give an earlier date."
    return None
