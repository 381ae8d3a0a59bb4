"""Web API methods that read messages back: conversations.history and conversations.replies.

Sources: docs.slack.dev/reference/methods/conversations.history and conversations.replies. History returns a
channel's top-level messages only, newest first, between `oldest` and `latest` (each excluded unless `inclusive`),
`limit` 100 by default and at most 999; replies returns a thread, its parent first, `limit` 1000 by default. Both
are cursor-paginated (`has_more`, `response_metadata.next_cursor`) and return a message's `metadata` only with
`include_all_metadata` ("Return all metadata associated with this message", default false; slack-go/slack#1139 and
a bridge that needed it: Automattic/matrix-appservice-slack#8). Both need a *:history scope; the method's Facts
name bot tokens with channels:history (api.slack.com/methods/conversations.replies), the prose's "bot user tokens
... lack sufficient permissions" is about classic bot users, the Facts' "classic bot" row.
"""

from __future__ import annotations

import base64
from typing import Any

from .chat import channel_arg
from .errors import SlackError
from .state import SlackState, public_message

HISTORY_LIMIT, HISTORY_MAX = 100, 999
REPLIES_LIMIT = 1000


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _limit(args: dict[str, Any], default: int, most: int) -> int:
    try:
        wanted = int(args.get("limit") or default)
    except ValueError:
        raise SlackError("invalid_limit") from None
    return max(1, min(wanted, most))


def _offset(args: dict[str, Any]) -> int:
    cursor = str(args.get("cursor") or "")
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().removeprefix("next:"))
    except ValueError:
        raise SlackError("invalid_cursor") from None


def _within(args: dict[str, Any], ts: str) -> bool:
    inclusive = _flag(args.get("inclusive"))
    stamp = float(ts)
    oldest, latest = args.get("oldest"), args.get("latest")
    if oldest not in (None, "") and (stamp < float(oldest) or (stamp == float(oldest) and not inclusive)):
        return False
    return latest in (None, "") or stamp < float(latest) or (stamp == float(latest) and inclusive)


def _page(messages: list[dict[str, Any]], args: dict[str, Any], limit: int) -> dict[str, Any]:
    start = _offset(args)
    page = messages[start : start + limit]
    more = start + limit < len(messages)
    metadata = _flag(args.get("include_all_metadata"))
    shown = [public_message(m) for m in page]
    if not metadata:
        for message in shown:
            message.pop("metadata", None)
    cursor = base64.b64encode(f"next:{start + limit}".encode()).decode() if more else ""
    return {"messages": shown, "has_more": more, "response_metadata": {"next_cursor": cursor}}


def history(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """conversations.history: the channel's top-level messages, newest first."""
    channel = channel_arg(state, args)
    top = [m for m in state.messages[channel] if m.get("thread_ts") in (None, m["ts"]) and _within(args, m["ts"])]
    return _page(top[::-1], args, _limit(args, HISTORY_LIMIT, HISTORY_MAX))


def replies(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """conversations.replies: the thread's parent followed by its replies, oldest first."""
    channel = channel_arg(state, args)
    parent = state.find_message(channel, str(args.get("ts") or ""))
    if parent is None:
        raise SlackError("thread_not_found")
    root = parent.get("thread_ts", parent["ts"])
    thread = [
        m for m in state.messages[channel] if m["ts"] == root or (m.get("thread_ts") == root and _within(args, m["ts"]))
    ]
    return _page(thread, args, _limit(args, REPLIES_LIMIT, REPLIES_LIMIT))


METHODS = {"conversations.history": history, "conversations.replies": replies}
