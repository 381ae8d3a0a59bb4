"""Invoice statuses, the actions that move them, and the one table of allowed transitions."""

from enum import Enum, StrEnum


class Status(StrEnum):
    """An invoice's status; the codes and labels follow the ERP this product mirrors."""

    PENDING_PROCUREMENT = "AP"
    PENDING_ACCOUNTING = "AA"
    APPROVED = "A"
    REJECTED = "R"
    SENT = "ES"
    SYNCHRONIZED = "S"
    FAILED = "F"
    PAID = "P"

    @property
    def label(self) -> str:
        """The name shown to people."""
        return _LABELS[self]


_LABELS = {
    Status.PENDING_PROCUREMENT: "Pending Procurement Approval",
    Status.PENDING_ACCOUNTING: "Pending Accounting Approval",
    Status.APPROVED: "Approved",
    Status.REJECTED: "Rejected",
    Status.SENT: "Sent to External System",
    Status.SYNCHRONIZED: "Synchronized",
    Status.FAILED: "Failed",
    Status.PAID: "Paid",
}


class Action(StrEnum):
    """Everything that may happen to an invoice, by a person or by the system."""

    REVISE = "revise"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN_TO_PROCUREMENT = "return_to_procurement"
    SEND = "send"
    RETRY = "retry"
    RETURN_TO_APPROVED = "return_to_approved"
    SYNC_SUCCEEDED = "sync_succeeded"
    SYNC_FAILED = "sync_failed"
    BILL_DELETED = "bill_deleted"
    BILL_PAID = "bill_paid"
    BILL_UNPAID = "bill_unpaid"

    @property
    def description(self) -> str:
        """How the action reads in a sentence: 'cannot <description>'."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Action.REVISE: "replace it with a new revision",
    Action.APPROVE: "approve it",
    Action.REJECT: "reject it",
    Action.RETURN_TO_PROCUREMENT: "return it to Procurement",
    Action.SEND: "send it to QuickBooks",
    Action.RETRY: "retry its sync",
    Action.RETURN_TO_APPROVED: "return it to Approved",
    Action.SYNC_SUCCEEDED: "mark it Synchronized",
    Action.SYNC_FAILED: "mark its sync Failed",
    Action.BILL_DELETED: "reopen it for a deleted Bill",
    Action.BILL_PAID: "mark it Paid",
    Action.BILL_UNPAID: "mark it no longer Paid",
}

S = Status
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    **{
        (s, Action.REVISE): S.PENDING_PROCUREMENT
        for s in (S.PENDING_PROCUREMENT, S.PENDING_ACCOUNTING, S.APPROVED, S.REJECTED, S.FAILED)
    },
    (S.PENDING_PROCUREMENT, Action.APPROVE): S.PENDING_ACCOUNTING,
    (S.PENDING_ACCOUNTING, Action.APPROVE): S.APPROVED,
    (S.PENDING_PROCUREMENT, Action.REJECT): S.REJECTED,
    (S.PENDING_ACCOUNTING, Action.REJECT): S.REJECTED,
    (S.PENDING_ACCOUNTING, Action.RETURN_TO_PROCUREMENT): S.PENDING_PROCUREMENT,
    (S.APPROVED, Action.SEND): S.SENT,
    (S.FAILED, Action.RETRY): S.SENT,
    (S.SENT, Action.SYNC_SUCCEEDED): S.SYNCHRONIZED,
    (S.SENT, Action.SYNC_FAILED): S.FAILED,
    **{(s, Action.RETURN_TO_APPROVED): S.APPROVED for s in (S.SYNCHRONIZED, S.SENT, S.FAILED)},
    (S.SYNCHRONIZED, Action.BILL_DELETED): S.APPROVED,
    (S.SYNCHRONIZED, Action.BILL_PAID): S.PAID,
    (S.PAID, Action.BILL_UNPAID): S.SYNCHRONIZED,
}
del S


class Value(Enum):
    """A field value that only the change itself knows."""

    NOW = "the time of the change"
    REASON = "the reason or detail given with the action"
    NEXT = "one more than before"
    GIVEN = "a value the caller supplies; left as it is when not supplied"


# The invoice fields each action changes beside its status and version; every path applies this table.
EFFECTS: dict[Action, dict[str, object]] = {
    Action.REVISE: {"revision": Value.NEXT, "po_number": Value.GIVEN, "last_error": None},
    Action.SEND: {"sent_at": Value.NOW, "last_error": None},
    Action.RETRY: {"sent_at": Value.NOW, "last_error": None},
    Action.SYNC_SUCCEEDED: {"bill_id": Value.GIVEN, "bill_number": Value.GIVEN, "bill_confirmed_at": Value.GIVEN},
    Action.SYNC_FAILED: {
        "last_error": Value.REASON,
        "bill_id": Value.GIVEN,
        "bill_number": Value.GIVEN,
        "bill_confirmed_at": Value.GIVEN,
    },
    Action.BILL_DELETED: {"bill_id": None, "bill_confirmed_at": None},
}

_WHY_NOT = {
    Status.SENT: "it has been sent to QuickBooks and the sync is under way",
    Status.SYNCHRONIZED: "its Bill already exists in QuickBooks",
    Status.PAID: "its Bill is paid in QuickBooks",
}


class TransitionRefused(Exception):
    """An action that the status table does not allow; the message is fit to show a person."""


def transition(status: Status, action: Action) -> Status:
    """Return the status that `action` leads to from `status`, or raise TransitionRefused."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        reason = _WHY_NOT.get(status)
        because = f" because {reason}" if reason else ""
        raise TransitionRefused(f"Cannot {action.description}: the invoice is {status.label}{because}.") from None
