"""Who may do what to an invoice: roles per action, segregation of duties, sending blockers."""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from invoices.numbering import too_long
from invoices.statuses import Action, Status, TransitionRefused, transition


class Role(StrEnum):
    """What an actor is allowed to do; people get theirs from configuration."""

    PROCUREMENT_APPROVER = "procurement approver"
    ACCOUNTING_APPROVER = "accounting approver"
    AP_SENDER = "A/P sender"
    ERP = "ERP upload"
    SYSTEM = "invoice-sync"

    @property
    def who(self) -> str:
        """The role as the subject of a sentence."""
        return _WHO[self]


_WHO = {
    Role.PROCUREMENT_APPROVER: "a Procurement approver",
    Role.ACCOUNTING_APPROVER: "an Accounting approver",
    Role.AP_SENDER: "an A/P sender",
    Role.ERP: "the ERP, by uploading a new revision,",
    Role.SYSTEM: "invoice-sync itself",
}


class Department(StrEnum):
    """The two departments that approve an invoice, in order."""

    PROCUREMENT = "procurement"
    ACCOUNTING = "accounting"


class Outcome(StrEnum):
    """What a department decided about one revision."""

    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"


class ActionRefused(Exception):
    """An action this actor may not take now; the message is fit to show a person."""


@dataclass(frozen=True)
class Actor:
    """Someone (or something) acting on an invoice."""

    id: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    # Set when the actor acts as a delegate: the person whose approval roles they use.
    for_id: str | None = None

    @property
    def people(self) -> frozenset[str]:
        """Everyone this action counts for: the actor, and whom they act for."""
        return frozenset({self.id, self.for_id} - {None})

    @property
    def shown(self) -> str:
        """The actor as the audit log names them, e.g. 'U0BUYER2 for U0BUYER1'."""
        return f"{self.id} for {self.for_id}" if self.for_id else self.id


_SYSTEM_ACTIONS = {
    Action.SYNC_SUCCEEDED: Role.SYSTEM,
    Action.SYNC_FAILED: Role.SYSTEM,
    Action.BILL_DELETED: Role.SYSTEM,
    Action.BILL_PAID: Role.SYSTEM,
    Action.BILL_UNPAID: Role.SYSTEM,
    Action.REVISE: Role.ERP,
}
_A_P_ACTIONS = {Action.SEND, Action.RETRY, Action.RETURN_TO_APPROVED}
# Actions that stop an invoice or send it back a step: the person says why; the audit and the card's thread keep it.
REASON_REQUIRED = frozenset({Action.REJECT, Action.RETURN_TO_PROCUREMENT, Action.RETURN_TO_APPROVED})
_STAGE = {Status.PENDING_PROCUREMENT: Department.PROCUREMENT, Status.PENDING_ACCOUNTING: Department.ACCOUNTING}
_DECISIONS = {
    Action.APPROVE: Outcome.APPROVED,
    Action.REJECT: Outcome.REJECTED,
    Action.RETURN_TO_PROCUREMENT: Outcome.RETURNED,
}
_STAGE_ROLE = {
    Status.PENDING_PROCUREMENT: Role.PROCUREMENT_APPROVER,
    Status.PENDING_ACCOUNTING: Role.ACCOUNTING_APPROVER,
}


def required_role(status: Status, action: Action) -> Role:
    """The role an actor needs to take `action` on an invoice in `status`."""
    if action in _SYSTEM_ACTIONS:
        return _SYSTEM_ACTIONS[action]
    if action in _A_P_ACTIONS:
        return Role.AP_SENDER
    if action is Action.RETURN_TO_PROCUREMENT:
        return Role.ACCOUNTING_APPROVER
    return _STAGE_ROLE.get(status, Role.PROCUREMENT_APPROVER)


def decision_of(status: Status, action: Action) -> tuple[Department, Outcome] | None:
    """The department decision an allowed action records, e.g. (ACCOUNTING, APPROVED) for an approval in AA."""
    if action not in _DECISIONS:
        return None
    department = Department.ACCOUNTING if action is Action.RETURN_TO_PROCUREMENT else _STAGE[status]
    return department, _DECISIONS[action]


@dataclass(frozen=True)
class Approvals:
    """This round's approvals of the current revision, each as the people it counts for (a delegate and whom
    they acted for): the latest Procurement one, and every Accounting one so far."""

    procurement: frozenset[str] = frozenset()
    accounting: tuple[frozenset[str], ...] = ()


def accounting_approvals_needed(total: Decimal | None, second_above: Decimal | None) -> int:
    """Two Accounting approvals when the total is above ACCOUNTING_SECOND_APPROVAL_ABOVE, else one."""
    return 2 if second_above is not None and total is not None and total > second_above else 1


def decide(
    status: Status,
    action: Action,
    actor: Actor,
    *,
    approvals: Approvals = Approvals(),
    needed: int = 1,
    reason: str | None = None,
    send_blockers: tuple[str, ...] = (),
) -> Status:
    """Return the next status if `actor` may take `action` now, else raise ActionRefused."""
    try:
        target = transition(status, action)
    except TransitionRefused as refused:
        raise ActionRefused(str(refused)) from None
    role = required_role(status, action)
    if role not in actor.roles:
        raise ActionRefused(f"Only {role.who} may {action.description}.")
    if action in REASON_REQUIRED and not (reason or "").strip():
        raise ActionRefused(f"A reason is required to {action.description}.")
    if action is Action.APPROVE and status is Status.PENDING_ACCOUNTING:
        target = _accounting_approval(actor, approvals, needed)
    if action in (Action.SEND, Action.RETRY) and send_blockers:
        raise ActionRefused("Cannot send it to QuickBooks: " + "; ".join(send_blockers) + ".")
    return target


def _accounting_approval(actor: Actor, approvals: Approvals, needed: int) -> Status:
    # A when this approval completes Accounting's, AA when it is the first of two; refused when a person it counts for
    # approved this revision already, for either department.
    people = actor.people
    if people & approvals.procurement:
        raise ActionRefused(
            "You approved this invoice for Procurement (yourself or for someone who delegated to you); someone "
            "else must approve it for Accounting."
        )
    if any(people & earlier for earlier in approvals.accounting):
        raise ActionRefused(
            "You already approved this invoice for Accounting (yourself or for someone who delegated to you); "
            f"it needs {needed} Accounting approvals by different people, so another Accounting approver must "
            "approve it."
        )
    return Status.APPROVED if len(approvals.accounting) + 1 >= needed else Status.PENDING_ACCOUNTING


# What to do about each blocker, said where it is shown (the card, /invoice status, a refused Send): an approved
# invoice that cannot be sent has no Send button, so without these words nobody knows how to move it on.
NO_NAME_FIX = (
    "have the ERP send the QuickBooks vendor's display name as the vendor's QB accounting name and upload the "
    "invoice again (create the vendor in QuickBooks first if it has none)"
)
TOO_LONG_FIX = (
    "shorten BILL_NUMBER_FORMAT (e.g. '{invoice_number}' alone) or have the ERP send shorter PO or invoice "
    "numbers and upload the invoice again"
)


def send_blockers(qb_accounting_name: str | None, bill_number: str) -> tuple[str, ...]:
    """Problems that keep an approved invoice from being sent, known before any QuickBooks call, each with its fix."""
    problems = []
    if not (qb_accounting_name or "").strip():
        problems.append(f"the vendor has no QB accounting name: {NO_NAME_FIX}")
    if too_long(bill_number):
        problems.append(f"{too_long(bill_number)}: {TOO_LONG_FIX}")
    return tuple(problems)
