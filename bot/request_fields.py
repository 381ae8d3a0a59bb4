"""What a Slack request says, checked before it reaches a service or a column: who, from where, what text."""

import re

from bot.refusals import Unusable, quoted
from models import AuditEntry, Decision, Invoice

# Slack user ids start with U or W (workspace or Enterprise Grid); the audit log and decisions hold them whole.
MAX_USER_ID = min(AuditEntry.__table__.c.actor.type.length, Decision.__table__.c.user_id.type.length)
_USER = re.compile(rf"[UW][A-Z0-9]{{2,{MAX_USER_ID - 1}}}")
_CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,40}")
# No stored number is longer, so a longer text typed after /invoice status is looked up nowhere.
MAX_NUMBER = max(Invoice.__table__.c[name].type.length for name in ("number", "po_number", "bill_number"))
# No stored text holds these (intake refuses them), and PostgreSQL cannot even compare a text holding NUL; half a
# surrogate pair (JSON's "\ud800", which Python decodes as is) has no UTF-8 form, so no driver can send it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# What Bolt reads of every request before a listener runs (slack_bolt.request.payload_utils' is_event, is_view...,
# its authorization and its unhandled-request log) indexes these without a type check: `"type" in body["event"]`
# on a string, `body["view"]["type"]`, `body["actions"][0].get(...)`. Slack always sends them as below, so a body
# that does not is refused before Bolt sees it instead of raising inside Bolt as a 500.
_OBJECTS = ("container", "message", "state", "view", "event")
_IDS = ("user", "channel", "team", "enterprise")  # an object with an id, or the id alone (commands, events)


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


def searchable(text: str) -> bool:
    """True when `text` could be a stored number: no longer than any, and without control characters."""
    return len(text) <= MAX_NUMBER and not has_control_characters(text)


def has_control_characters(text: str) -> bool:
    """True when `text` holds a control character but tab and line breaks (NUL, escape...) or half a surrogate pair."""
    return _CONTROL.search(text) is not None


def envelope_problem(body: object) -> str | None:
    """Why a parsed Slack body is not one Slack sends, for the log line; None when Bolt and the listeners can read it.

    body: {"type": "block_actions", "user": {"id": "U0BUYER1"}, "actions": [{"action_id": "invoice_approve"}]}
    """
    if not isinstance(body, dict):
        return f"the body is a JSON {type(body).__name__}, not an object"
    if not isinstance(body.get("type", ""), str):
        return "its type is not a text"
    for key in _IDS:
        if not isinstance(body.get(key), (dict, str, type(None))):
            return f"its {key} is neither an object nor an id"
    for key in _OBJECTS:
        if key in body and not isinstance(body[key], dict):
            return f"its {key} is not an object"
    for key in ("view", "event"):  # both are told apart by their type; a view also by its callback_id
        if key in body and not isinstance(body[key].get("type"), str):
            return f"its {key} has no type"
    if "view" in body and not isinstance(body["view"].get("callback_id", ""), str):
        return "its view's callback_id is not a text"
    if "actions" in body and not _actions(body["actions"]):
        return "its actions are not a list of actions, each with an action_id"
    if "authorizations" in body and not _objects(body["authorizations"]):
        return "its authorizations are not a list of objects"
    return None


def _actions(actions: object) -> bool:
    return _objects(actions) and bool(actions) and all(isinstance(a.get("action_id"), str) for a in actions)


def _objects(items: object) -> bool:
    return isinstance(items, list) and all(isinstance(item, dict) for item in items)
