"""Channels as Slack's client lays them out: day dividers, message headers, threads, ephemerals in place."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from . import markup, records
from .dates import clock, day_divider, local, ts_order
from .demo import Demo
from .render import Directory
from .slackbot import NAME as SLACKBOT


@dataclass(frozen=True)
class Viewer:
    """Who looks at the page and what is needed to draw it for them."""

    demo: Demo
    user: str
    names: Directory

    @property
    def clickable(self) -> bool:
        """Whether buttons send clicks (the page has an app URL and a signing secret)."""
        return self.demo.enabled


def channels(viewer: Viewer) -> str:
    """Every channel of the workspace, then any other conversation with messages or ephemerals for the viewer."""
    state = viewer.demo.state
    recorded = records.all_messages(state)
    ephemerals = viewer.demo.ephemerals(viewer.user)
    with state.lock:
        order = list(state.workspace.channels)
    order += sorted({*recorded, *(e["channel"] for e in ephemerals)} - set(order))
    return "".join(
        _channel(viewer, c, recorded.get(c, []), [e for e in ephemerals if e["channel"] == c]) for c in order
    )


def _channel(viewer: Viewer, channel: str, messages: list[dict], ephemerals: list[dict]) -> str:
    name = viewer.names.channels.get(channel) or viewer.names.users.get("U" + channel[1:], channel)
    prefix = "#" if channel in viewer.names.channels else "@"
    in_threads = [e for e in ephemerals if e.get("thread_ts")]
    timeline = [(m["ts"], _message(viewer, channel, m, in_threads)) for m in messages]
    timeline += [(e["message_ts"], _ephemeral(viewer, e)) for e in ephemerals if not e.get("thread_ts")]
    timeline.sort(key=lambda item: ts_order(item[0]))
    html, shown_day = "", None
    for ts, item in timeline:
        day = local(float(ts)).date()
        if day != shown_day:
            html += (
                f'<div class="day-divider"><span>{escape(day_divider(local(float(ts)), viewer.names.now))}</span></div>'
            )
            shown_day = day
        html += item
    html = html or '<p class="empty">No messages yet.</p>'
    return (
        f'<section class="channel" id="channel-{escape(channel)}" data-channel="{escape(channel)}">'
        f"<h2>{prefix}{escape(name)}</h2>{html}</section>"
    )


def _meta(viewer: Viewer, item: dict[str, Any], ts: str) -> tuple[str, str]:
    """The avatar and the header line: sender, APP badge, readable time, (edited)."""
    moment = local(float(ts))
    if item.get("via") == "slackbot":
        sender, badge, kind = SLACKBOT, "", "slackbot"
    elif item.get("bot_id") or "message_ts" in item:
        sender, badge, kind = viewer.demo.manifest.bot_name, '<span class="badge">APP</span>', "app"
    else:
        sender = viewer.names.users.get(item.get("user", ""), item.get("user", "someone"))
        badge, kind = "", "person"
    stamp = (
        f'<time datetime="{moment.isoformat()}" title="{escape(day_divider(moment, viewer.names.now))} '
        f'at {escape(clock(moment, seconds=True))}">{escape(clock(moment))}</time>'
    )
    edited = ""
    if item.get("edited"):
        at = local(float(item["edited"].get("ts") or ts))
        edited = f'<span class="edited" title="{escape(day_divider(at, viewer.names.now))} at {escape(clock(at))}">(edited)</span>'
    avatar = f'<div class="avatar {kind}" aria-hidden="true">{escape(sender[:1].upper())}</div>'
    return avatar, f'<div class="meta"><span class="sender">{escape(sender)}</span>{badge}{stamp}{edited}</div>'


def _message(viewer: Viewer, channel: str, message: dict, ephemerals: list[dict]) -> str:
    form = {"channel": channel, "ts": message["ts"], "user": viewer.user} if viewer.clickable else None
    avatar, meta = _meta(viewer, message, message["ts"])
    replies = records.thread(viewer.demo.state, channel, message["ts"])
    thread = [(r["ts"], _reply(viewer, channel, r)) for r in replies]
    thread += [(e["message_ts"], _ephemeral(viewer, e)) for e in ephemerals if e["thread_ts"] == message["ts"]]
    thread.sort(key=lambda item: ts_order(item[0]))
    summary = ""
    if replies:
        count = len(replies)
        summary = f'<div class="thread-summary">{count} repl{"y" if count == 1 else "ies"}</div>'
    threaded = f'{summary}<div class="thread">{"".join(html for _, html in thread)}</div>' if thread else ""
    return (
        f'<div class="message" data-channel="{escape(channel)}" data-ts="{escape(message["ts"])}"'
        f'{" data-edited" if message.get("edited") else ""}>{avatar}<div class="content">{meta}'
        f"{markup.message(message, viewer.names, form)}{threaded}</div></div>"
    )


def _reply(viewer: Viewer, channel: str, reply: dict) -> str:
    form = {"channel": channel, "ts": reply["ts"], "user": viewer.user} if viewer.clickable else None
    avatar, meta = _meta(viewer, reply, reply["ts"])
    return (
        f'<div class="message reply" data-channel="{escape(channel)}" data-ts="{escape(reply["ts"])}">'
        f'{avatar}<div class="content">{meta}{markup.message(reply, viewer.names, form)}</div></div>'
    )


def _ephemeral(viewer: Viewer, ephemeral: dict) -> str:
    """An ephemeral where Slack shows it, marked "Only visible to you", with a Dismiss link."""
    ts, channel = ephemeral["message_ts"], ephemeral["channel"]
    avatar, meta = _meta(viewer, ephemeral, ts)
    form = None
    if viewer.clickable and ephemeral.get("via") != "slackbot":
        form = {"channel": channel, "ts": ts, "user": viewer.user, "ephemeral": "1"}
    dismiss = (
        f'<form method="post" action="/_sandbox/ephemeral/dismiss" data-ajax>'
        f"{markup.hidden({'user': viewer.user, 'message_ts': ts})}"
        f'<button class="dismiss" data-dismiss="{escape(ts)}">Dismiss message</button></form>'
    )
    return (
        f'<div class="message ephemeral" data-channel="{escape(channel)}" data-ephemeral-ts="{escape(ts)}">'
        f'{avatar}<div class="content"><span class="only-you">&#128065; Only visible to you</span>{meta}'
        f"{markup.message(ephemeral, viewer.names, form)}{dismiss}</div></div>"
    )
