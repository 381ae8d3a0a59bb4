"""mrkdwn and plain_text as HTML, the way Slack's clients show them, escaped for HTML only after parsing.

Follows Slack's "Formatting text for app surfaces" (https://docs.slack.dev/messaging/formatting-message-text/):
*bold*, _italic_, ~strike~, `code`, ```pre```, > and >>> quotes, <url|label> and <url> links,
<@U…> users, <#C…> channels, <!subteam^S…> groups, <!here>/<!channel>/<!everyone>, <!date^…|fallback>,
:emoji: shortcodes, and the three entities &amp; &lt; &gt; that stand for the control characters. A bare http(s)
URL is linked unless its text object is `verbatim` (the top-level text of a message never is), as Slack does.
Everything the app sent is HTML-escaped on the way out, so a vendor named "<script>" is shown, never run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from .dates import formatted
from .emoji import emojify
from .workspace import Workspace

_CODE_BLOCK = re.compile(r"```(.*?)```", re.DOTALL)
_QUOTE_REST = re.compile(r"^(?:>>>|&gt;&gt;&gt;)")
_QUOTE_LINE = re.compile(r"^(?:>|&gt;)")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
# A date token is read before code spans: its fallback shows a ` as typed (jsx-slack's <Escape>, which bot.mrkdwn
# uses, checked in Slack's Block Kit Builder: yhatt/jsx-slack docs/about-escape-and-exact-mode.md).
_DATE_TOKEN = re.compile(r"<(!date\^[^<>\n]+)>")
_BARE_URL = re.compile(r"https?://[^\s\x00<>|]+")
_ANGLED = re.compile(r"<([^<>\n]+)>")
_ENTITY = re.compile(r"&(lt|gt|amp);")
_HOLE = re.compile("\x00([0-9]+)\x00")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_SPECIAL = {"!here": "@here", "!channel": "@channel", "!everyone": "@everyone"}
_EMPHASIS = [
    (re.compile(r"(?<![\w*])\*([^\s*](?:[^\n*]*?[^\s*])?)\*(?![\w*])"), "b"),
    (re.compile(r"(?<![\w_])_([^\s_](?:[^\n_]*?[^\s_])?)_(?![\w_])"), "i"),
    (re.compile(r"(?<![\w~])~([^\s~](?:[^\n~]*?[^\s~])?)~(?![\w~])"), "s"),
]


@dataclass(frozen=True)
class Directory:
    """Who and what mentions name: users' shown names, groups' handles, channels' names, and the viewer's now."""

    users: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now().astimezone())

    @classmethod
    def of(cls, workspace: Workspace, now: datetime | None = None) -> Directory:
        """The directory of a workspace; a user is shown by display name, else real name, as Slack does."""
        users = {
            uid: u.get("display_name") or u.get("real_name") or u.get("name") or uid
            for uid, u in workspace.users.items()
        }
        groups = {gid: g.get("handle") or g.get("name") or gid for gid, g in workspace.groups.items()}
        channels = {cid: c.get("name") or cid for cid, c in workspace.channels.items()}
        return cls(users, groups, channels, now or datetime.now().astimezone())


def unescape(raw: str) -> str:
    """Slack's &lt; &gt; &amp; as the characters they stand for, in one pass ('&amp;lt;' stays '&lt;')."""
    return _ENTITY.sub(lambda m: {"lt": "<", "gt": ">", "amp": "&"}[m.group(1)], raw)


def plain(raw: str, emoji: bool = True) -> str:
    """A plain_text text as HTML: no markup, shortcodes as emoji unless `emoji` is false."""
    shown = escape(str(raw))
    return emojify(shown) if emoji else shown


def text_object(obj: Any, names: Directory) -> str:
    """A Block Kit text object ({"type": "mrkdwn"|"plain_text", "text": ...}) as HTML."""
    if not isinstance(obj, dict):
        return ""
    if obj.get("type") == "plain_text":
        return plain(obj.get("text", ""), obj.get("emoji", True) is not False)
    return mrkdwn(obj.get("text", ""), names, autolink=obj.get("verbatim") is not True)


def mrkdwn(raw: str, names: Directory, autolink: bool = True) -> str:
    """A mrkdwn text as HTML: code blocks verbatim, quotes as blockquotes, the rest formatted inline."""
    pieces = _CODE_BLOCK.split(str(raw).replace("\x00", ""))
    html = ""
    for index, piece in enumerate(pieces):
        if index % 2:
            html += f'<pre class="code-block">{escape(unescape(piece.strip(chr(10))))}</pre>'
            continue
        # The line break next to a code block is the block's own edge, not an empty line.
        piece = piece.removeprefix("\n") if index else piece
        html += _flow(piece.removesuffix("\n") if index < len(pieces) - 1 else piece, names, autolink)
    return html


def _flow(text: str, names: Directory, autolink: bool = True) -> str:
    """Lines of text: runs of quoted lines become one blockquote; line breaks stay (the page uses pre-wrap)."""
    out: list[tuple[bool, str]] = []
    quoted: list[str] = []
    rest = False
    for line in text.split("\n") if text else []:
        opener = _QUOTE_REST.match(line)
        single = _QUOTE_LINE.match(line)
        if rest or opener or single:
            rest = rest or bool(opener)
            start = opener.end() if opener else single.end() if single else 0
            quoted.append(inline(line[start:].removeprefix(" "), names, autolink))
            continue
        if quoted:
            out.append((True, f"<blockquote>{chr(10).join(quoted)}</blockquote>"))
            quoted = []
        out.append((False, inline(line, names, autolink)))
    if quoted:
        out.append((True, f"<blockquote>{chr(10).join(quoted)}</blockquote>"))
    html = ""
    for index, (block, part) in enumerate(out):
        if index and not block and not out[index - 1][0]:
            html += "\n"
        html += part
    return html


def inline(raw: str, names: Directory, autolink: bool = True) -> str:
    """One line of mrkdwn: date tokens, code spans, <…> tokens and bare URLs first, then entities, escaping,
    emphasis and emoji."""
    holes: list[str] = []

    def hole(html: str) -> str:
        holes.append(html)
        return f"\x00{len(holes) - 1}\x00"

    text = _DATE_TOKEN.sub(lambda m: hole(_angled(m.group(1), names) or escape(unescape(m.group(0)))), raw)
    text = _INLINE_CODE.sub(lambda m: hole(f"<code>{escape(unescape(m.group(1)))}</code>"), text)
    text = _ANGLED.sub(lambda m: hole(_angled(m.group(1), names) or escape(unescape(m.group(0)))), text)
    if autolink:
        text = _BARE_URL.sub(lambda m: hole(_angled(m.group(0), names) or escape(m.group(0))), text)
    html = escape(unescape(text))
    for pattern, tag in _EMPHASIS:
        html = pattern.sub(lambda m, tag=tag: f"<{tag}>{m.group(1)}</{tag}>", html)
    html = emojify(html)
    return _HOLE.sub(lambda m: holes[int(m.group(1))], html)


def _angled(body: str, names: Directory) -> str | None:
    """The HTML of one <…> control sequence, or None when Slack would show it as typed."""
    target, _, label = body.partition("|")
    label = unescape(label)
    if target.startswith(_LINK_SCHEMES):
        href = unescape(target)
        shown = label or href.removeprefix("mailto:")
        return f'<a href="{escape(href)}" target="_blank" rel="noopener noreferrer">{plain(shown)}</a>'
    if target.startswith("@") and len(target) > 1:
        user = target[1:]
        name = names.users.get(user) or label.lstrip("@") or user
        return f'<span class="mention" data-user-id="{escape(user)}">@{escape(name)}</span>'
    if target.startswith("#") and len(target) > 1:
        channel = target[1:]
        name = names.channels.get(channel) or label.lstrip("#") or channel
        return f'<span class="channel-link" data-channel-id="{escape(channel)}">#{escape(name)}</span>'
    if target.startswith("!subteam^"):
        group = target.removeprefix("!subteam^")
        handle = names.groups.get(group) or label.lstrip("@") or group
        return f'<span class="mention" data-group-id="{escape(group)}">@{escape(handle)}</span>'
    if target in _SPECIAL:
        return f'<span class="mention special">{_SPECIAL[target]}</span>'
    if target.startswith("!date^"):
        return _date(target, label, names)
    if target.startswith("!"):
        return escape(label) if label else None
    return None


def _date(target: str, fallback: str, names: Directory) -> str:
    """<!date^1392734382^{date_short_pretty} at {time}^https://example.com|Feb 18, 2014 at 6:39 AM PST>."""
    parts = target.split("^")
    try:
        text = formatted(int(parts[1]), unescape(parts[2]), names.now) if len(parts) > 2 else None
    except (ValueError, OverflowError, OSError):
        text = None
    shown = escape(text if text is not None else fallback)
    link = unescape(parts[3]) if len(parts) > 3 else ""
    if link.startswith(_LINK_SCHEMES):
        return f'<a href="{escape(link)}" target="_blank" rel="noopener noreferrer">{shown}</a>'
    return f'<time class="date-token">{shown}</time>'
