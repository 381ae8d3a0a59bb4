"""Read access to what the sandbox recorded, and what a POST to a response_url does."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from . import chat
from .errors import SlackError
from .state import SlackState


def messages(state: SlackState, channel: str) -> list[dict[str, Any]]:
    """Top-level messages of a channel, oldest first, with their current blocks and update history."""
    with state.lock:
        found = state.messages.get(channel, [])
        return copy.deepcopy([m for m in found if m.get("thread_ts", m["ts"]) == m["ts"]])


def all_messages(state: SlackState) -> dict[str, list[dict[str, Any]]]:
    """Top-level messages of every channel."""
    with state.lock:
        return {channel: messages(state, channel) for channel in list(state.messages)}


def thread(state: SlackState, channel: str, ts: str) -> list[dict[str, Any]]:
    """The replies in the thread of message `ts`, oldest first, without the parent."""
    with state.lock:
        return copy.deepcopy([m for m in state.messages.get(channel, []) if m.get("thread_ts") == ts and m["ts"] != ts])


def ephemerals(state: SlackState, user: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
    """Ephemeral messages (chat.postEphemeral and response_url), optionally for one user or channel."""
    with state.lock:
        return copy.deepcopy(
            [e for e in state.ephemerals if user in (None, e["user"]) and channel in (None, e["channel"])]
        )


def views(state: SlackState, user: str | None = None) -> list[dict[str, Any]]:
    """Opened views: {"view_id", "trigger_id", "user", "surface", "view", "history"}, oldest first."""
    with state.lock:
        return copy.deepcopy([v for v in state.views.values() if user in (None, v["user"])])


def calls(state: SlackState, method: str | None = None) -> list[dict[str, Any]]:
    """Logged Web API calls: {"method", "args", "token", "at", "status", "ok", "error"}."""
    with state.lock:
        return copy.deepcopy([c for c in state.calls if method in (None, c["method"])])


def response_url(state: SlackState, channel: str, user: str, message_ts: str | None = None) -> str:
    """A response_url that records what the app POSTs to it."""
    with state.lock:
        response_id = secrets.token_hex(8)
        state.response_targets[response_id] = {"channel": channel, "user": user, "message_ts": message_ts}
    base = state.base_url or "http://sandbox.invalid"
    return f"{base.rstrip('/')}/_sandbox/respond/{response_id}"


def respond(state: SlackState, response_id: str, body: dict[str, Any]) -> None:
    """Apply a response_url POST such as {"text": "Not allowed", "response_type": "ephemeral"}."""
    with state.lock:
        target = state.response_targets.get(response_id)
        if target is None:
            raise SlackError("expired_url")
        state.responses.append({"response_id": response_id, **target, "body": copy.deepcopy(body)})
        channel, message_ts = target["channel"], target["message_ts"]
        if body.get("delete_original") and message_ts:
            state.messages[channel] = [m for m in state.messages[channel] if m["ts"] != message_ts]
        elif body.get("replace_original") and message_ts:
            # replace_original replaces the whole message: blocks it does not send are removed.
            chat.update(state, {"blocks": [], **body, "channel": channel, "ts": message_ts})
        elif body.get("response_type") == "in_channel":
            chat.post_message(state, {**body, "channel": channel})
        else:
            text, blocks = body.get("text", ""), body.get("blocks")
            state.ephemerals.append(
                {
                    "channel": channel,
                    "user": target["user"],
                    "text": text,
                    "blocks": blocks,
                    "message_ts": state.next_ts(),
                    "via": "response_url",
                }
            )
