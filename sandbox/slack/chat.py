"""Web API methods about messages: chat.*."""

from __future__ import annotations

import json
import re
from typing import Any

from .blocks import check_message_text, parse_blocks
from .errors import SlackError
from .state import SlackState, public_message

MAX_UPDATE_TEXT = 4000
# A ts as Slack writes it, "1700000000.000100"; a float sent as JSON ("1602251441.0017") is well formed too.
_TS = re.compile(r"[0-9]+\.[0-9]+")


def channel_arg(state: SlackState, args: dict[str, Any]) -> str:
    """The id of the call's `channel` (an id or a name); channel_not_found when the workspace has none."""
    channel = state.workspace.channel_id(str(args.get("channel") or ""))
    if channel is None:
        raise SlackError("channel_not_found")
    return channel


def _postable(state: SlackState, channel: str) -> None:
    """chat.postMessage's refusals for a channel the bot may not post in.

    "is_archived: Channel has been archived." and "not_in_channel: Cannot post user messages to a channel
    they are not in." are documented for chat.postMessage (slack-ruby/slack-api-ref
    methods/chat/chat.postMessage.json; tests/sandbox/recorded/slack/chat_postMessage_*.json). A thread reply
    is a chat.postMessage with thread_ts, so it is refused the same way.
    """
    settings = state.workspace.channels.get(channel, {})
    if settings.get("is_archived"):
        raise SlackError("is_archived")
    if not settings.get("is_member", True):
        raise SlackError("not_in_channel")


def _message(state: SlackState, channel: str, ts: Any) -> dict[str, Any]:
    message = state.find_message(channel, str(ts or ""))
    if message is None:
        raise SlackError("message_not_found")
    return message


def _content(args: dict[str, Any]) -> tuple[str, list[dict[str, Any]] | None]:
    """Text and blocks of a call; Slack refuses a message with neither."""
    blocks = parse_blocks(args.get("blocks"))
    text = args.get("text") or args.get("markdown_text") or ""
    if not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    return str(text), blocks


def _metadata(raw: Any) -> dict[str, Any] | None:
    """Message metadata, e.g. '{"event_type": "invoice_card", "event_payload": {"id": 7}}'."""
    if isinstance(raw, str) and raw:
        try:
            raw = json.loads(raw)
        except ValueError:
            raise SlackError("invalid_metadata_format") from None
    if raw in (None, ""):
        return None
    if not isinstance(raw, dict) or "event_type" not in raw:
        raise SlackError("invalid_metadata_schema")
    return raw


def post_message(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """chat.postMessage: a new message, or a reply when thread_ts names a message of the channel."""
    channel = channel_arg(state, args)
    _postable(state, channel)
    text, blocks = _content(args)
    check_message_text(blocks)
    workspace = state.workspace
    message: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "ts": state.next_ts(),
        "user": workspace.bot_user_id,
        "bot_id": workspace.bot_id,
        "app_id": workspace.app_id,
        "team": workspace.team_id,
        "text": text,
        "history": [],
    }
    if blocks is not None:
        message["blocks"] = blocks
    metadata = _metadata(args.get("metadata"))
    if metadata is not None:
        message["metadata"] = metadata
    if args.get("thread_ts") is not None:
        _reply_to(state, message, args["thread_ts"])
    state.messages[channel].append(message)
    return {"channel": channel, "ts": message["ts"], "message": public_message(message)}


def _reply_to(state: SlackState, message: dict[str, Any], thread_ts: Any) -> None:
    """Make `message` a reply in the thread of `thread_ts`.

    A malformed ts is refused: "invalid_thread_ts" with "[ERROR] 0 is not a valid thread_ts" in
    response_metadata.messages (Slack's answer to thread_ts "0", jenkinsci/slack-plugin#584), and an empty one too
    (vercel/chat#268). A well-formed ts that names no message of the channel is accepted, and the reply lands in a
    thread nobody sees: no error, not in the channel, in no visible thread (slackapi/python-slack-sdk#840,
    slackapi/node-slack-sdk#780: "will succeed in posting to the channel but the message won't thread and won't be
    visible"). chat.postMessage documents no thread_not_found (slack-ruby/slack-api-ref chat.postMessage.json);
    see tests/sandbox/recorded/slack/chat_thread_ts.source.md.
    """
    wanted = str(thread_ts)
    if not _TS.fullmatch(wanted):
        raise SlackError(
            "invalid_thread_ts", response_metadata={"messages": [f"[ERROR] {wanted} is not a valid thread_ts"]}
        )
    channel = message["channel"]
    parent = state.find_message(channel, wanted)
    root = parent and state.find_message(channel, parent.get("thread_ts", parent["ts"]))
    if root is None:
        message["thread_ts"] = parent.get("thread_ts", wanted) if parent else wanted
        return
    message["thread_ts"] = root["ts"]
    root.update(thread_ts=root["ts"], reply_count=root.get("reply_count", 0) + 1)
    root["reply_users"] = sorted({*root.get("reply_users", []), state.workspace.bot_user_id})
    root["latest_reply"] = message["ts"]


def update(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """chat.update: replace the text, and the blocks when `blocks` is sent; earlier versions go to `history`.

    A text-only update keeps the message's blocks, and `blocks=[]` removes them: Slack's reference from
    2020 to 2023-10-11 ("If you don't include this field, the message's previous blocks will be retained. To
    remove previous blocks, include an empty array for this field.") and every observed report
    (slackapi/python-slack-sdk#523, slack-go/slack#1214); see tests/sandbox/recorded/slack/chat_update_keeps_blocks.md.
    Archived channels and channels the bot left are not refused here: no public source shows what chat.update
    answers for them (not_in_channel and is_archived are documented for chat.postMessage only).
    """
    channel = channel_arg(state, args)
    message = _message(state, channel, args.get("ts"))
    text, blocks = _content(args)
    # "msg_too_long: Message text is too long. The `text` field cannot exceed 4,000 characters."
    # (slack-ruby/slack-api-ref methods/chat/chat.update.json; chat_update_msg_too_long.json)
    if len(text) > MAX_UPDATE_TEXT:
        raise SlackError("msg_too_long")
    # msg_blocks_too_long is documented for chat.postMessage only; the same blocks are refused here too, as the
    # stricter reading (no source shows chat.update accepting more).
    check_message_text(blocks)
    message["history"].append({k: message.get(k) for k in ("text", "blocks", "edited")})
    message["text"] = text
    if blocks:
        message["blocks"] = blocks
    elif blocks is not None:
        message.pop("blocks", None)
    metadata = _metadata(args.get("metadata"))
    if metadata is not None:
        message["metadata"] = metadata
    message["edited"] = {"user": state.workspace.bot_user_id, "ts": state.next_ts()}
    return {"channel": channel, "ts": message["ts"], "text": text, "message": public_message(message)}


def post_ephemeral(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """chat.postEphemeral: a message only `user` sees.

    Refused as documented (slack-ruby/slack-api-ref methods/chat/chat.postEphemeral.json): "is_archived: Channel
    has been archived.", "not_in_channel: Cannot post user messages to a channel they are not in." (the bot), and
    "user_not_in_channel: Intended recipient is not in the specified channel." (the reference's own example answer);
    the user "should be in the channel specified by the channel argument" (same file). Which is checked first is
    unsaid; the channel's refusals come before the recipient's here. See chat_postEphemeral_errors.source.md.
    """
    channel = channel_arg(state, args)
    _postable(state, channel)
    user = str(args.get("user") or "")
    if user not in state.workspace.users:
        raise SlackError("user_not_found")
    if not state.workspace.is_in_channel(user, channel):
        raise SlackError("user_not_in_channel")
    text, blocks = _content(args)
    ts = state.next_ts()
    ephemeral = {"channel": channel, "user": user, "text": text, "blocks": blocks, "message_ts": ts, "via": "api"}
    if args.get("thread_ts"):
        ephemeral["thread_ts"] = str(args["thread_ts"])
    state.ephemerals.append(ephemeral)
    return {"message_ts": ts}


def get_permalink(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """chat.getPermalink: the message's archive link."""
    channel = channel_arg(state, args)
    message = _message(state, channel, args.get("message_ts"))
    link = f"https://{state.workspace.domain}.slack.com/archives/{channel}/p{message['ts'].replace('.', '')}"
    if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
        link += f"?thread_ts={message['thread_ts']}&cid={channel}"
    return {"channel": channel, "permalink": link}


METHODS = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "chat.getPermalink": get_permalink,
}
