"""What a Slack request says, checked before it reaches a service or a column: who, from where, what text."""

import re

from bot.refusals import Unusable, quoted
from models import AuditEntry, Decision

# Slack user ids start with U or W (workspace or Enterprise Grid); the audit log and decisions hold them whole.
MAX_USER_ID = min(AuditEntry.__table__.c.actor.type.length, Decision.__table__.c.user_id.type.length)
_USER = re.compile(rf"[UW][A-Z0-9]{{2,{MAX_USER_ID - 1}}}")
_CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,40}")
# No stored text holds these (intake refuses them), and PostgreSQL cannot even compare a text holding NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def user_id(body: dict) -> str:
    """The id of the person who clicked or submitted, e.g. 'U0BUYER1'; Unusable if it cannot be recorded.

    body: {"type": "block_actions", "user": {"id": "U0BUYER1", "username": "buyer1"}, ...}
    """
    user = body.get("user")
    found = user.get("id") if isinstance(user, dict) else None
    if not isinstance(found, str) or not _USER.fullmatch(found):
        raise Unusable(
            "Slack sent a user id this app cannot record, so nothing was done.",
            f"the user id {quoted(found)} is not a Slack user id of at most {MAX_USER_ID} characters",
        )
    return found


def channel_id(body: dict) -> str:
    """The channel of the card that was clicked, e.g. 'C0PROCURE'; Unusable for a click outside a channel.

    body: {"type": "block_actions", "channel": {"id": "C0PROCURE", "name": "procurement"}, ...}
    """
    channel = body.get("channel")
    found = channel.get("id") if isinstance(channel, dict) else None
    if not isinstance(found, str) or not _CHANNEL.fullmatch(found):
        raise Unusable(
            "This button works only on its card in a channel, so nothing was done.",
            f"the click came with no usable channel id ({quoted(found)})",
        )
    return found


def has_control_characters(text: str) -> bool:
    """True when `text` holds a control character other than tab and line breaks (NUL, escape, ...)."""
    return _CONTROL.search(text) is not None
