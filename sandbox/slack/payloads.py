"""What Slack POSTs to an app's Request URL: block_actions, view_submission and slash commands, signed."""

from __future__ import annotations

import json
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from . import events
from .blocks import button_label, find_button, input_blocks
from .events import VERIFICATION_TOKEN
from .signing import signed_headers
from .workspace import Workspace

if TYPE_CHECKING:
    from .harness import SlackSandbox

Request = tuple[dict[str, str], bytes]


class SlackRequests:
    """Builds signed requests as Slack would send them, using the sandbox's workspace and triggers."""

    def __init__(self, signing_secret: str, sandbox: SlackSandbox | None = None) -> None:
        self.signing_secret = signing_secret
        self.sandbox = sandbox

    @property
    def workspace(self) -> Workspace:
        """The sandbox's workspace, or a default one without a sandbox."""
        return self.sandbox.workspace if self.sandbox else Workspace()

    def sign(self, body: bytes, *, bad_signature: bool = False, stale: bool = False, **kw: Any) -> Request:
        """(headers, body) for a raw body, signed with the secret (or wrongly, or with a stale stamp)."""
        return signed_headers(self.signing_secret, body, bad_signature=bad_signature, stale=stale, **kw), body

    def interactivity(self, payload: dict[str, Any], **signing: Any) -> Request:
        """An interactivity request: form-encoded payload=<json>."""
        return self.sign(urlencode({"payload": json.dumps(payload)}).encode(), **signing)

    def block_actions(
        self, message: dict[str, Any], button: str, user: str, *, trigger_age: float = 0.0, **signing: Any
    ) -> Request:
        """A signed click on the button labelled (or with action_id) `button` of a recorded message.

        `trigger_age`: seconds since the click, as if the request reached the app that late.
        """
        return self.interactivity(self.block_actions_payload(message, button, user, trigger_age), **signing)

    def view_submission(
        self, view: dict[str, Any], values: Any = None, user: str | None = None, **signing: Any
    ) -> Request:
        """A signed submission of an opened view with `values` typed into its inputs."""
        return self.interactivity(self.view_submission_payload(view, values, user), **signing)

    def slash_command(self, command_line: str, user: str, channel: str, **signing: Any) -> Request:
        """A signed slash command such as "/invoice status 1234"."""
        return self.sign(urlencode(self.slash_command_payload(command_line, user, channel)).encode(), **signing)

    def app_home_opened(self, user: str, tab: str = "home", **signing: Any) -> Request:
        """A signed Events API callback: `user` opened the app's Home tab (or its Messages tab)."""
        published = self.sandbox.home(user) if self.sandbox else None
        body = events.app_home_opened(self.workspace, user, tab, published["view"] if published else None)
        return self.sign(json.dumps(body).encode(), content_type="application/json", **signing)

    def _trigger_id(self, user: str, age: float = 0.0) -> str:
        if self.sandbox and age:
            return self.sandbox.issue_trigger_id(user, age=age)
        if self.sandbox:
            return self.sandbox.issue_trigger_id(user)
        return f"{int(time.time())}.{self.workspace.team_id}.{secrets.token_hex(16)}"

    def _response_url(self, channel: str, user: str, message_ts: str | None = None) -> str:
        if self.sandbox:
            return self.sandbox.response_url(channel, user, message_ts)
        return f"https://hooks.slack.com/actions/{self.workspace.team_id}/{secrets.token_hex(6)}"

    def _team(self) -> dict[str, str]:
        return {"id": self.workspace.team_id, "domain": self.workspace.domain}

    def block_actions_payload(
        self, message: dict[str, Any], button: str, user: str, trigger_age: float = 0.0
    ) -> dict[str, Any]:
        """The payload of a click; `message` is a sandbox record, an ephemeral record or a postMessage answer."""
        if "message" in message and "channel" in message:
            message = {**message["message"], "channel": message["channel"]}
        channel = message["channel"]
        ephemeral = "ts" not in message and "message_ts" in message
        ts = message["message_ts"] if ephemeral else message["ts"]
        block_id, element = find_button(message.get("blocks"), button)
        workspace = self.workspace
        action = {
            "action_id": element["action_id"],
            "block_id": block_id,
            "text": {"type": "plain_text", "text": button_label(element), "emoji": True},
            "type": "button",
            "action_ts": f"{time.time():.6f}",
        }
        for key in ("value", "style", "url"):
            if key in element:
                action[key] = element[key]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": workspace.short_user(user),
            "api_app_id": workspace.app_id,
            "token": VERIFICATION_TOKEN,
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
            "trigger_id": self._trigger_id(user, trigger_age),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": workspace.channel_name(channel)},
            "state": {"values": {}},
            "response_url": self._response_url(channel, user, None if ephemeral else ts),
            "actions": [action],
        }
        if not ephemeral:
            payload["message"] = {k: v for k, v in message.items() if k not in ("channel", "history")}
        return payload

    def view_submission_payload(
        self, view: dict[str, Any], values: Any = None, user: str | None = None
    ) -> dict[str, Any]:
        """The payload of a modal's submit; `values` is "text" for the first plain_text_input, or by id.

        `values` examples: "Wrong quantities", {"reason": "Wrong quantities"} (block_id or action_id),
        {"reason": {"reason_input": "Wrong quantities"}}.
        """
        user = user or view.get("user")
        if not user:
            raise ValueError("which user submits the view? pass user=")
        view = json.loads(json.dumps(view.get("view", view)))
        view["state"] = {"values": view_state(view.get("blocks"), values)}
        return {
            "type": "view_submission",
            "team": self._team(),
            "user": self.workspace.short_user(user),
            "api_app_id": self.workspace.app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(user),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def slash_command_payload(self, command_line: str, user: str, channel: str) -> dict[str, str]:
        """The form fields of a slash command, e.g. "/invoice status 1234" typed in `channel`."""
        command, _, text = command_line.strip().partition(" ")
        workspace = self.workspace
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": workspace.team_id,
            "team_domain": workspace.domain,
            "channel_id": channel,
            "channel_name": workspace.channel_name(channel),
            "user_id": user,
            "user_name": workspace.short_user(user)["name"],
            "command": command,
            "text": text.strip(),
            "api_app_id": workspace.app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(channel, user),
            "trigger_id": self._trigger_id(user),
        }


def view_state(blocks: list[dict[str, Any]] | None, values: Any) -> dict[str, dict[str, Any]]:
    """view.state.values for the inputs: {block_id: {action_id: {"type": ..., "value": ...}}}."""
    inputs = input_blocks(blocks)
    typed = _typed_values(inputs, values)
    state: dict[str, dict[str, Any]] = {}
    for block in inputs:
        element = block["element"]
        value = typed.pop(block["block_id"], None)
        if value in (None, "") and not block.get("optional", False):
            raise ValueError(f"input {block['block_id']!r} is required; Slack would not submit the view without it")
        state[block["block_id"]] = {element["action_id"]: _element_value(element, value)}
    if typed:
        raise KeyError(f"the view has no inputs {sorted(typed)}; it has {[b['block_id'] for b in inputs]}")
    return state


def _typed_values(inputs: list[dict[str, Any]], values: Any) -> dict[str, Any]:
    """Map the caller's values onto block_ids."""
    if values is None:
        return {}
    if isinstance(values, str):
        first = next((b for b in inputs if b["element"].get("type") == "plain_text_input"), None)
        if first is None:
            raise KeyError("the view has no plain_text_input")
        return {first["block_id"]: values}
    by_action = {b["element"]["action_id"]: b["block_id"] for b in inputs}
    typed = {}
    for key, value in values.items():
        if isinstance(value, dict):
            value = next(iter(value.values()), None)
        typed[by_action.get(key, key)] = value
    return typed


def _element_value(element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = element.get("type")
    if kind in ("static_select", "radio_buttons"):
        chosen = next((o for o in element.get("options", []) if value in (o.get("value"), o["text"]["text"])), None)
        return {"type": kind, "selected_option": chosen}
    return {"type": kind, "value": value}
