"""Mentions that notify people: Slack user ids as <@U…>, user group ids as <!subteam^S…>, checked, never data."""

import re

from bot.mrkdwn import esc
from invoices.reminders import MAX_REMINDERS, ReminderNote

_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_GROUP = re.compile(r"^S[A-Z0-9]{2,}$")


def mention(principal: str) -> str:
    """'<@U0BUYER1>' for a user, '<!subteam^S0ACCOUNTING>' for a user group, anything else shown escaped."""
    if _USER.match(principal):
        return f"<@{principal}>"
    if _GROUP.match(principal):
        return f"<!subteam^{principal}>"
    return esc(principal)


def may_act(note: ReminderNote) -> str:
    """The reminder's call to the people who may act now, e.g. '<@U0BUYER1>, <@U0BUYER2>: it waits for one of you.'."""
    count = f"(reminder {note.number} of {MAX_REMINDERS})"
    if not note.who:
        return f"Nobody on the approver list can act on it now: add an approver to its list. {count}"
    return f"{', '.join(map(mention, note.who))}: it waits for one of you. {count}"
