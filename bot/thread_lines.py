"""The short line each allowed audit entry adds to a card's thread."""

import re

from invoices.statuses import Action, Status
from models import AuditEntry

_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def who(actor: str) -> str:
    """A Slack mention for people, the plain name for the ERP or invoice-sync itself."""
    if _SLACK_USER.match(actor):
        return f"<@{actor}>"
    return {"erp": "the ERP"}.get(actor, actor)


def thread_line(entry: AuditEntry, bill_number: str) -> str:
    """One sentence for an audit entry, e.g. 'Approved for Procurement by <@U0BUYER1>.'."""
    by = who(entry.actor)
    detail = (entry.detail or "").strip()
    action = entry.action
    if action == "upload":
        return f":inbox_tray: Received from {by}: {detail}."
    if action == Action.REVISE:
        return f":arrows_counterclockwise: New revision from {by} ({detail}); it waits for Procurement again."
    if action == Action.APPROVE:
        stage = "Procurement" if entry.from_status == Status.PENDING_PROCUREMENT else "Accounting"
        return f":white_check_mark: Approved for {stage} by {by}."
    if action == Action.REJECT:
        return f":no_entry: Rejected by {by}: {detail}"
    if action == Action.RETURN_TO_PROCUREMENT:
        return f":leftwards_arrow_with_hook: Returned to Procurement by {by}: {detail}"
    if action == Action.SEND:
        return f":outbox_tray: Sent to QuickBooks by {by}."
    if action == Action.RETRY:
        return f":repeat: Sync retried by {by}."
    if action == Action.RETURN_TO_APPROVED:
        return f":leftwards_arrow_with_hook: Returned to Approved by {by}."
    if action == Action.SYNC_SUCCEEDED:
        return f":large_green_circle: Synchronized as Bill {bill_number}."
    if action == Action.SYNC_FAILED:
        return f":red_circle: Sync failed: {detail}"
    if action == Action.BILL_DELETED:
        return f":wastebasket: Bill {bill_number} was deleted in QuickBooks; the invoice is Approved again and can be sent again."
    if action == Action.BILL_PAID:
        return f":moneybag: Bill {bill_number} was paid in QuickBooks."
    return f"{action} by {by}{f': {detail}' if detail else ''}."
