"""The Web API method table, with the methods about the workspace itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import chat, conversations, views
from .errors import SlackError
from .state import SlackState

Method = Callable[[SlackState, dict[str, Any]], dict[str, Any]]


def auth_test(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """auth.test: who the token belongs to."""
    workspace = state.workspace
    return {
        "url": f"https://{workspace.domain}.slack.com/",
        "team": workspace.team_name,
        "user": workspace.bot_name,
        "team_id": workspace.team_id,
        "user_id": workspace.bot_user_id,
        "bot_id": workspace.bot_id,
        "is_enterprise_install": False,
    }


def users_info(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """users.info: one user's profile."""
    user = str(args.get("user") or "")
    if user not in state.workspace.users:
        raise SlackError("user_not_found")
    return {"user": state.workspace.user_profile(user)}


def usergroup_members(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """usergroups.users.list: the user ids in a user group."""
    group = state.workspace.groups.get(str(args.get("usergroup") or ""))
    if group is None:
        raise SlackError("no_such_subteam")
    return {"users": list(group.get("users", []))}


def conversation_info(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """conversations.info: a channel's id and name."""
    channel_id = str(args.get("channel") or "")
    channel = state.workspace.channels.get(channel_id)
    if channel is None:
        raise SlackError("channel_not_found")
    return {
        "channel": {
            "id": channel_id,
            "name": channel["name"],
            "is_channel": True,
            "is_private": bool(channel.get("is_private", False)),
            "is_archived": bool(channel.get("is_archived", False)),
            "is_member": bool(channel.get("is_member", True)),
            "created": 1700000000,
            "context_team_id": state.workspace.team_id,
        }
    }


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "usergroups.users.list": usergroup_members,
    "conversations.info": conversation_info,
    **chat.METHODS,
    **conversations.METHODS,
    **views.METHODS,
}
