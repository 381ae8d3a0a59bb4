"""`/invoice delegate @someone until YYYY-MM-DD`, `/invoice delegate off` and `/invoice delegate`: parse,
call one service, answer only the caller."""

import re
from datetime import date

from bot.authorization import resolve_actor
from bot.mrkdwn import echoed, esc
from bot.slack_client import WebClient
from services.changes.delegations import Granted, current_delegation, delegate, end_delegation

# With the command's should_escape on, Slack sends a mention as <@U0123ABCD|name> (or <@U0123ABCD>).
_GRANT = re.compile(r"<@([UW][A-Z0-9]{2,40})(?:\|[^>]{0,100})?>\s+until\s+(\d{4}-\d{2}-\d{2})", re.IGNORECASE)
USAGE = (
    "Use `/invoice delegate @someone until YYYY-MM-DD` to let them approve with your roles through that day "
    "(UTC), `/invoice delegate off` to end it, or `/invoice delegate` to see it."
)


def shown(granted: Granted) -> str:
    """A delegation in words, e.g. '<@U0HELPER> approves for you (Accounting) through 2026-12-31 (UTC)'."""
    roles = ", ".join(sorted(role.value for role in granted.roles))
    return f"<@{granted.delegate}> approves for <@{granted.delegator}> ({roles}) through {granted.until} (UTC)"


def delegation_answer(runtime, client: WebClient, user_id: str, text: str) -> str:
    """The answer to `/invoice delegate ...`, having granted or ended the delegation it asks for."""
    text = text.strip()
    if not text:
        with runtime.sessions() as session:
            granted = current_delegation(session, user_id)
        return f"{shown(granted)}." if granted else f"You have not delegated your approvals. {USAGE}"
    if text.lower() == "off":
        return "Your delegation is ended." if end_delegation(runtime, user_id) else "You had no delegation to end."
    match = _GRANT.fullmatch(text)
    if match is None:
        return f"I could not read `{echoed(text)}`. {USAGE}"
    try:
        until = date.fromisoformat(match[2])
    except ValueError:
        return f"{esc(match[2])} is not a date. {USAGE}"
    who = resolve_actor(runtime, client, user_id)
    result = delegate(runtime, who.actor, match[1].upper(), until)
    answer = f"{shown(result)}, with every action audited as theirs for you." if isinstance(result, Granted) else result
    return who.explain(answer) if who.unchecked else answer
