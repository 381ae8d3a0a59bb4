"""The configured Slack workspace: team, bot identity, tokens, users, user groups and channels."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

DEMO_TOKEN = "xoxb-sandbox-token"


@dataclass
class Workspace:
    """Everything the sandbox knows about the workspace it pretends to be."""

    team_id: str = "T0SANDBOX"
    team_name: str = "Sandbox Flowers"
    domain: str = "sandbox-flowers"
    bot_user_id: str = "U0INVBOT"
    bot_id: str = "B0INVBOT"
    bot_name: str = "invoicebot"
    app_id: str = "A0INVSYNC"
    tokens: list[str] = field(default_factory=lambda: [DEMO_TOKEN])
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)

    def update(self, config: dict[str, Any]) -> None:
        """Merge a configuration such as {"tokens": [...], "users": {"U1": {"name": "ann"}}}."""
        for key, value in config.items():
            if key not in self.__dataclass_fields__:
                raise ValueError(f"unknown workspace setting {key!r}")
            if key in ("users", "groups", "channels"):
                getattr(self, key).update(_keyed(value))
            elif key == "tokens":
                self.tokens = [value] if isinstance(value, str) else list(value)
            else:
                setattr(self, key, value)

    def to_dict(self) -> dict[str, Any]:
        """The workspace as plain JSON-ready data."""
        return copy.deepcopy(asdict(self))

    def accepts(self, token: str) -> bool:
        """Whether a token is valid; an empty token list accepts any token."""
        return not self.tokens or token in self.tokens

    def channel_id(self, ref: str) -> str | None:
        """Resolve a channel id, a "#name" or a user id (its direct-message channel)."""
        if ref in self.channels:
            return ref
        name = ref.lstrip("#")
        for channel_id, channel in self.channels.items():
            if channel.get("name") == name:
                return channel_id
        if ref in self.users:
            return "D" + ref[1:]
        if ref.startswith("D") and "U" + ref[1:] in self.users:
            return ref
        return None

    def change_channel(self, channel_id: str, **changes: Any) -> dict[str, Any]:
        """Change a channel as its members would: {"is_archived": True} archives it, {"is_member": False}
        removes the bot from it (conversations.info's fields of the same names), {"members": ["U0BUYER1"]} makes
        those users its only members (conversations.members' list; None: every user again)."""
        if channel_id not in self.channels:
            raise KeyError(f"no channel {channel_id}")
        unknown = set(changes) - {"is_archived", "is_member", "name", "members"}
        if unknown:
            raise ValueError(f"unknown channel settings {sorted(unknown)}")
        self.channels[channel_id].update(changes)
        return dict(self.channels[channel_id])

    def is_in_channel(self, user_id: str, channel_id: str) -> bool:
        """Whether a user is a member of the channel: of a channel with a `members` list, those users; of one
        without, every user of the workspace; of a direct-message channel, its one user (the bot is the other)."""
        if channel_id.startswith("D"):
            return user_id in (self.bot_user_id, "U" + channel_id[1:])
        members = self.channels.get(channel_id, {}).get("members")
        return members is None or user_id in members

    def channel_name(self, channel_id: str) -> str:
        """The channel's name, or "directmessage" as Slack reports for DMs."""
        channel = self.channels.get(channel_id)
        return channel["name"] if channel else "directmessage"

    def user_profile(self, user_id: str) -> dict[str, Any]:
        """A users.info-shaped user object."""
        user = self.users[user_id]
        name = user.get("name", user_id.lower())
        real_name = user.get("real_name", name)
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": real_name,
            "deleted": bool(user.get("deleted", False)),
            "is_bot": bool(user.get("is_bot", False)),
            "is_admin": bool(user.get("is_admin", False)),
            "tz": user.get("tz", "America/New_York"),
            "profile": {
                "real_name": real_name,
                "display_name": user.get("display_name", name),
                "email": user.get("email", f"{name}@{self.domain}.example"),
                "team": self.team_id,
            },
        }

    def short_user(self, user_id: str) -> dict[str, str]:
        """The user object of interactivity payloads: id, username, name, team_id."""
        name = self.users.get(user_id, {}).get("name", user_id.lower())
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}


def _keyed(value: Any) -> dict[str, dict[str, Any]]:
    """Accept {"U1": {...}} or [{"id": "U1", ...}] for users, groups and channels."""
    if isinstance(value, dict):
        return {key: dict(item) for key, item in value.items()}
    return {item["id"]: {k: v for k, v in item.items() if k != "id"} for item in value}


def demo_workspace(tokens: list[str] | None = None) -> Workspace:
    """The seeded demo workspace: procurement and accounting channels, their people and A/P."""
    workspace = Workspace()
    if tokens:
        workspace.tokens = list(dict.fromkeys([*tokens, DEMO_TOKEN]))
    workspace.update(
        {
            "channels": {
                "C0PROCURE": {"name": "procurement"},
                "C0ACCOUNT": {"name": "accounting"},
            },
            "users": {
                "U0BUYER1": {"name": "paula.buyer", "real_name": "Paula Buyer"},
                "U0BUYER2": {"name": "pedro.buyer", "real_name": "Pedro Buyer"},
                "U0ACCT1": {"name": "ana.accounting", "real_name": "Ana Accounting"},
                "U0ACCT2": {"name": "alex.accounting", "real_name": "Alex Accounting"},
                "U0AP1": {"name": "pat.payables", "real_name": "Pat Payables"},
                "U0OUTSIDE": {"name": "olga.outsider", "real_name": "Olga Outsider"},
                "U0INVBOT": {"name": "invoicebot", "real_name": "Invoice Bot", "is_bot": True},
            },
            "groups": {
                "S0ACCOUNTING": {"handle": "accounting", "name": "Accounting", "users": ["U0ACCT1", "U0ACCT2"]},
            },
        }
    )
    return workspace
