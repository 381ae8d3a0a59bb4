"""Approval reminders (docs/slack.md, APPROVAL_REMINDER_AFTER): when one is due, and what its audit entry says.

An invoice waiting in AP or AA is reminded of once it has waited one interval in that stage, then again one
interval after each reminder, at most MAX_REMINDERS times for the stage. Times are seconds: the domain has no clock.
"""

import re
from dataclasses import dataclass

from invoices.rules import Role
from invoices.statuses import Status

MAX_REMINDERS = 3
# The stages a reminder is about, and the role whose people (and their delegates) may act there.
WAITING_ROLE = {
    Status.PENDING_PROCUREMENT: Role.PROCUREMENT_APPROVER,
    Status.PENDING_ACCOUNTING: Role.ACCOUNTING_APPROVER,
}
# The audit entry's detail: readable in the audit log, and read back by the thread line to mention people.
_DETAIL = re.compile(r"^reminder (\d+) of (\d+) after (\d+) s waiting; may act: ?(.*)$")


def reminder_due(waited: float, since_last: float | None, sent: int, every: float) -> bool:
    """Whether a reminder is due: `waited` seconds in the stage, `since_last` seconds since the last one (if any).

    E.g. with every=86400: due at 86400 s of waiting, again 86400 s after each reminder, never after the third.
    """
    if every <= 0 or sent >= MAX_REMINDERS:
        return False
    if sent == 0 or since_last is None:
        return waited >= every
    return since_last >= every


@dataclass(frozen=True)
class ReminderNote:
    """One reminder as its audit entry keeps it: its number, the seconds waited, who may act (Slack ids)."""

    number: int
    waited: int
    who: tuple[str, ...]

    def detail(self) -> str:
        """The audit entry's detail, e.g. 'reminder 1 of 3 after 90000 s waiting; may act: U0BUYER1, S0PROC'."""
        who = ", ".join(self.who)
        return f"reminder {self.number} of {MAX_REMINDERS} after {self.waited} s waiting; may act: {who}"


def read_note(detail: str | None) -> ReminderNote | None:
    """The reminder an audit entry's detail describes, or None when it is not one (never raises)."""
    found = _DETAIL.match(detail or "")
    if not found:
        return None
    who = tuple(part.strip() for part in found.group(4).split(",") if part.strip())
    return ReminderNote(int(found.group(1)), int(found.group(3)), who)


def waited_words(seconds: float) -> str:
    """How long something waited: its largest unit and the next one down, e.g. '2 days 3 hours', '45 minutes'."""
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return "less than a minute"
    counts = [(seconds // 86400, "day"), (seconds % 86400 // 3600, "hour"), (seconds % 3600 // 60, "minute")]
    first = next(i for i, (count, _) in enumerate(counts) if count)
    shown = [(count, unit) for count, unit in counts[first : first + 2] if count]
    return " ".join(f"{count} {unit}{'s' if count != 1 else ''}" for count, unit in shown)
