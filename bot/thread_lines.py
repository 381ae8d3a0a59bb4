"""The short line each allowed audit entry adds to a card's thread: one per Action and per AuditKind."""

import re

from bot.mentions import may_act
from bot.mrkdwn import MESSAGE_TEXT, fit, neutral
from invoices.audit import Audited, AuditKind
from invoices.reminders import read_note, waited_words
from invoices.statuses import Action, Status
from services.views import ThreadEntry

_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SYNCED_AND = re.compile(r"\(QuickBooks id \d+\)\. (.+)$", re.S)
LINES: dict[Audited, str] = {
    AuditKind.UPLOAD: ":inbox_tray: Received from {by}: {detail}.",
    AuditKind.VENDOR_CHANGE: ":label: Vendor details changed by {by}: {detail}.",
    Action.REVISE: ":arrows_counterclockwise: New revision from {by} ({detail}); it waits for Procurement again.",
    Action.APPROVE: ":white_check_mark: Approved for {stage} by {by}.",
    Action.REJECT: ":no_entry: Rejected by {by}: {detail}",
    Action.RETURN_TO_PROCUREMENT: ":leftwards_arrow_with_hook: Returned to Procurement by {by}: {detail}",
    Action.SEND: ":outbox_tray: Sent to QuickBooks by {by}.",
    Action.RETRY: ":repeat: Sync retried by {by}.",
    Action.RETURN_TO_APPROVED: ":leftwards_arrow_with_hook: Returned to Approved by {by}: {detail}",
    Action.SYNC_SUCCEEDED: ":large_green_circle: Synchronized as Bill {bill}.",
    Action.SYNC_FAILED: ":red_circle: Sync failed: {detail}",
    Action.BILL_DELETED: ":wastebasket: Bill {bill} was deleted in QuickBooks; the invoice is Approved again "
    "and can be sent again.",
    Action.BILL_PAID: ":moneybag: Bill {bill} was paid in QuickBooks.",
    Action.BILL_UNPAID: ":money_with_wings: {detail}; the invoice is Synchronized again.",
    AuditKind.STRAY_BILL: ":warning: {detail}.",
    AuditKind.BILL_BALANCE: ":money_with_wings: {detail}.",
    AuditKind.DELEGATION: ":busts_in_silhouette: {by} delegated their approvals {detail}.",
    AuditKind.BILL_TOTAL_DRIFT: ":warning: {detail}; the invoice was not changed. Fix the Bill in QuickBooks, or "
    "Return to Approved and send it again.",
    AuditKind.KOMET_MARKED: ":white_check_mark: Marked Synchronized in Komet.",
    AuditKind.KOMET_REFUSED: ":warning: Komet refused to mark the invoice Synchronized: {detail}. It stays "
    "Synchronized here.",
    AuditKind.KOMET_NOT_MARKED: ":warning: Not marked Synchronized in Komet: {detail}. It stays Synchronized here.",
    AuditKind.APPROVAL_REMINDER: ":alarm_clock: Reminder: this invoice has waited {detail} for {stage} approval.",
    AuditKind.ATTACHMENT_ADDED: ":paperclip: {detail} attached to Bill {bill} in QuickBooks.",
    AuditKind.ATTACHMENT_NOT_ADDED: ":warning: Attachment not added to Bill {bill}: {detail}. The invoice stays "
    "Synchronized; attach the file in QuickBooks if it is needed.",
    AuditKind.POSSIBLE_DUPLICATE: ":mag: Possible duplicate of {detail}: same vendor, and the same number once case, "
    "spaces and `-_./#` are ignored. It can still be approved; check it is not the same invoice first.",
}


def who(actor: str) -> str:
    """A Slack mention for people ('<@X> for <@Y>' for a delegate), the plain name for the ERP or invoice-sync."""
    person, _, principal = actor.partition(" for ")
    if principal and _SLACK_USER.match(person) and _SLACK_USER.match(principal):
        return f"<@{person}> for <@{principal}>"
    if _SLACK_USER.match(actor):
        return f"<@{actor}>"
    return {"erp": "the ERP"}.get(actor, neutral(actor))


def thread_line(entry: ThreadEntry, bill_number: str) -> str:
    """One sentence for an audit entry, e.g. 'Approved for Procurement by <@U0BUYER1>.'."""
    detail = neutral((entry.detail or "").strip())
    stage = "Procurement" if entry.from_status == Status.PENDING_PROCUREMENT else "Accounting"
    note = read_note(entry.detail) if entry.action == AuditKind.APPROVAL_REMINDER else None
    if note:
        detail = waited_words(note.waited)
    line = LINES[entry.action].format(by=who(entry.actor), detail=detail, stage=stage, bill=neutral(bill_number))
    added = _SYNCED_AND.search(detail) if entry.action == Action.SYNC_SUCCEEDED else None
    if added:
        # What the sync adds to the fact, e.g. that the Bill is dated after a closed period (CLOSED_BOOKS).
        line += " " + added.group(1)
    if note:
        # Who may act now, as mentions that notify them: Slack ids the reminder kept, checked in bot.mentions.
        line += " " + may_act(note)
    return fit(line, MESSAGE_TEXT)
