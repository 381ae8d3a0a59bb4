"""The sandbox's in-memory state: workspace, recorded messages, ephemerals, views, triggers, faults, calls."""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .workspace import Workspace, demo_workspace

SANDBOX_ONLY_KEYS = ("channel", "history")


@dataclass
class Fault:
    """A scripted failure for the next `count` calls of `method`."""

    method: str
    status: int = 429
    retry_after: int = 1
    error: str | None = None
    count: int = 1

    def response(self) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Status, JSON body and headers of the faulted answer."""
        if self.error:
            return 200, {"ok": False, "error": self.error}, {}
        if self.status == 429:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(self.retry_after)}
        return self.status, {"ok": False, "error": "fatal_error"}, {}


class SlackState:
    """All sandbox state; callers hold `lock` while reading or changing it."""

    def __init__(self, workspace: Workspace | None = None, trigger_ttl: float = 3.0) -> None:
        self.lock = threading.RLock()
        self.workspace = workspace or demo_workspace()
        self.trigger_ttl = trigger_ttl
        self.base_url = ""
        self.reset()

    def reset(self) -> None:
        """Forget everything recorded and every scripted fault; the workspace stays."""
        with self.lock:
            self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
            self.ephemerals: list[dict[str, Any]] = []
            self.views: dict[str, dict[str, Any]] = {}
            self.triggers: dict[str, dict[str, Any]] = {}
            self.faults: list[Fault] = []
            self.calls: list[dict[str, Any]] = []
            self.responses: list[dict[str, Any]] = []
            self.response_targets: dict[str, dict[str, Any]] = {}
            self._last_ts_us = 0

    def next_ts(self) -> str:
        """A Slack ts ("1700000000.000100"), unique and increasing across the whole sandbox."""
        with self.lock:
            self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
            seconds, micros = divmod(self._last_ts_us, 1_000_000)
            return f"{seconds}.{micros:06d}"

    def find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The recorded message (top level or reply) with this ts."""
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def issue_trigger(self, user: str | None = None) -> str:
        """A fresh trigger_id that views.open accepts once within `trigger_ttl` seconds."""
        with self.lock:
            trigger_id = f"{int(time.time())}.{self.workspace.team_id}.{secrets.token_hex(16)}"
            self.triggers[trigger_id] = {"user": user, "issued_at": time.monotonic(), "used": False}
            return trigger_id

    def use_trigger(self, trigger_id: str) -> dict[str, Any] | None:
        """Consume a trigger; None when it is unknown, used or expired."""
        with self.lock:
            trigger = self.triggers.get(trigger_id)
            if not trigger or trigger["used"] or time.monotonic() - trigger["issued_at"] > self.trigger_ttl:
                return None
            trigger["used"] = True
            return trigger

    def add_fault(self, fault: Fault) -> None:
        """Script a failure."""
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, method: str) -> Fault | None:
        """The active fault for this method, counting one use of it."""
        with self.lock:
            for fault in self.faults:
                if fault.method in (method, "*") and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def record_call(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        """Log a Web API call; the app fills in the answer's status and ok."""
        with self.lock:
            call = {"method": method, "args": copy.deepcopy(args), "token": token, "at": time.time()}
            self.calls.append(call)
            return call

    def snapshot(self) -> dict[str, Any]:
        """Everything recorded, as JSON-ready data."""
        with self.lock:
            return copy.deepcopy(
                {
                    "workspace": self.workspace.to_dict(),
                    "messages": dict(self.messages),
                    "ephemerals": self.ephemerals,
                    "views": list(self.views.values()),
                    "faults": [vars(f) for f in self.faults],
                    "calls": self.calls,
                    "responses": self.responses,
                }
            )


def public_message(message: dict[str, Any]) -> dict[str, Any]:
    """A recorded message as Slack shows it to apps, without the sandbox's bookkeeping."""
    return {k: copy.deepcopy(v) for k, v in message.items() if k not in SANDBOX_ONLY_KEYS}
