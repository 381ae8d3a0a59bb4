"""What Slack sends of a slash command typed in the message box, for a command registered with `should_escape`.

"Escape channels, users, and links sent to your app" (the command's should_escape) makes Slack send a person's
@mention as <@U012ABCDEF|name> and a #channel as <#C012ABCDEF|name>
(https://docs.slack.dev/interactivity/implementing-slash-commands, "Understanding the structure of slash
commands"). In Slack the person picks them from a list as they type; on the sandbox page they type a user's
handle or id (@pedro.buyer, @U0BUYER2) or a channel's name (#procurement). Anything else stays as typed.
"""

from __future__ import annotations

import re

from .workspace import Workspace

_USER = re.compile(r"(?<![\w<@])@([A-Za-z0-9][\w.-]*[A-Za-z0-9]|[A-Za-z0-9])")
_CHANNEL = re.compile(r"(?<![\w<#])#([a-z0-9][a-z0-9_-]*)")


def escape_mentions(text: str, workspace: Workspace) -> str:
    """`text` with the workspace's users and channels it mentions as Slack's tokens, e.g. '<@U0BUYER2|pedro.buyer>'."""
    users = {**{u.get("name"): uid for uid, u in workspace.users.items()}, **{uid: uid for uid in workspace.users}}
    channels = {c.get("name"): cid for cid, c in workspace.channels.items()}

    def user(found: re.Match) -> str:
        uid = users.get(found.group(1))
        return f"<@{uid}|{workspace.users[uid].get('name', uid.lower())}>" if uid else found.group(0)

    def channel(found: re.Match) -> str:
        cid = channels.get(found.group(1))
        return f"<#{cid}|{found.group(1)}>" if cid else found.group(0)

    return _CHANNEL.sub(channel, _USER.sub(user, text))
