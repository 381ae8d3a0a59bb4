"""What the audit log records besides status transitions: each kind of entry that is not an `Action`."""

from enum import StrEnum

from invoices.statuses import Action


class AuditKind(StrEnum):
    """An audited fact that moves no status; each has its own line in a card's thread."""

    UPLOAD = "upload"
    VENDOR_CHANGE = "vendor_change"
    BILL_TOTAL_DRIFT = "bill_total_drift"
    STRAY_BILL = "stray_bill"
    BILL_BALANCE = "bill_balance"
    # A delegation of approval roles granted, refused or ended (about no invoice, so never in a thread).
    DELEGATION = "delegation"
    # Komet Sales told of a Synchronized invoice (§9): marked, refused with Komet's message, or not marked and why.
    KOMET_MARKED = "komet_marked"
    KOMET_REFUSED = "komet_refused"
    KOMET_NOT_MARKED = "komet_not_marked"
    # An invoice waited APPROVAL_REMINDER_AFTER in AP or AA (§8): its thread mentions who may act (invoices.reminders).
    APPROVAL_REMINDER = "approval_reminder"
    # The invoice's file on its Bill (§8): attached (the Attachable's file name), or not and why; told once each.
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_NOT_ADDED = "attachment_not_added"
    # An upload whose vendor and retyped number match an earlier invoice's (§8): flagged, still approvable.
    POSSIBLE_DUPLICATE = "possible_duplicate"


# What an audit entry's `action` column holds: a transition of the table, or one of the facts above.
Audited = Action | AuditKind


def audited(value: str) -> Audited:
    """The Action or AuditKind a stored `action` column names, e.g. 'approve' → Action.APPROVE."""
    return Action(value) if value in Action._value2member_map_ else AuditKind(value)
