"""What Slack POSTs to an app's Events API Request URL: event callbacks such as app_home_opened."""

from __future__ import annotations

import secrets
import time
from typing import Any

from .workspace import Workspace

VERIFICATION_TOKEN = "sandbox-verification-token"


def app_home_opened(workspace: Workspace, user: str, tab: str, view: dict[str, Any] | None) -> dict[str, Any]:
    """The event_callback Slack sends when `user` opens a tab of the app ("home" or "messages"), e.g.
    {"type": "event_callback", "event": {"type": "app_home_opened", "user": "U0BUYER1", "tab": "home", ...}}; the
    Home view already published for them comes along, as Slack sends it."""
    event: dict[str, Any] = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": tab}
    if view is not None:
        event["view"] = view
    event["event_ts"] = f"{time.time():.6f}"
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": workspace.team_id,
        "api_app_id": workspace.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + secrets.token_hex(5).upper(),
        "event_time": int(time.time()),
    }
