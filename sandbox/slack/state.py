"""The sandbox's in-memory state: workspace, recorded messages, ephemerals, views, triggers, faults, calls."""

from __future__ import annotations

import copy
import re
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .errors import SlackError
from .rate_limits import RateLimits
from .workspace import Workspace, demo_workspace

SANDBOX_ONLY_KEYS = ("channel", "history")
_TRIGGER_FORMAT = re.compile(r"[0-9]+\.[0-9]+\.[0-9A-Za-z]+")


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
        # Off by default; kept across reset() as a setting, not a recording.
        self.rate_limits = RateLimits()
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
            # The page's modals closed (submitted or cancelled) and ephemerals dismissed, by view_id and by user:
            # kept with the recordings, so a restarted sandbox does not open or show them again.
            self.closed_views: list[str] = []
            self.dismissed: dict[str, list[str]] = {}
            self._last_ts_us = 0
            self._ts_index: dict[str, tuple[list[dict[str, Any]], int, dict[str, dict[str, Any]]]] = {}

    def next_ts(self) -> str:
        """A Slack ts ("1700000000.000100"), unique and increasing across the whole sandbox."""
        with self.lock:
            self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
            seconds, micros = divmod(self._last_ts_us, 1_000_000)
            return f"{seconds}.{micros:06d}"

    def find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The recorded message (top level or reply) with this ts."""
        recorded = self.messages.get(channel, [])
        # Messages are only ever appended, so the index catches up with the list's new tail; a list replaced
        # (reset, a restored recording) is indexed afresh. A month-end bench records 80,000 messages.
        indexed, count, by_ts = self._ts_index.get(channel, (None, 0, {}))
        if indexed is not recorded or count > len(recorded):
            count, by_ts = 0, {}
        for message in recorded[count:]:
            by_ts.setdefault(message["ts"], message)
        self._ts_index[channel] = (recorded, len(recorded), by_ts)
        return by_ts.get(ts)

    def issue_trigger(self, user: str | None = None, age: float = 0.0) -> str:
        """A fresh trigger_id that views.open accepts once within `trigger_ttl` seconds of the click.

        `age` makes it as if the click was `age` seconds ago (a slow app's views.open comes that late).
        Shaped as Slack documents it: "132456.7890123.abcdef" (views.open, invalid_trigger_id).
        """
        with self.lock:
            trigger_id = f"{int(time.time())}.{secrets.randbelow(10**12):012d}.{secrets.token_hex(16)}"
            self.triggers[trigger_id] = {"user": user, "issued_at": time.monotonic() - age, "used": False}
            return trigger_id

    def use_trigger(self, trigger_id: str) -> dict[str, Any]:
        """Consume a trigger, or raise Slack's answer (views.open reference, slack-ruby/slack-api-ref
        methods/views/views.open.json; tests/sandbox/recorded/slack/views_open_*.json):
        "exchanged_trigger_id: The trigger_id was already exchanged in a previous call.",
        "expired_trigger_id: The trigger_id is expired." (3 s after the click: bolt-python#886),
        "invalid_trigger_id: The trigger_id is invalid. The expected format ... is "132456.7890123.abcdef"".
        A well-formed id the sandbox never issued is answered as expired: no source shows Slack's answer.
        """
        with self.lock:
            if not _TRIGGER_FORMAT.fullmatch(trigger_id):
                raise SlackError("invalid_trigger_id")
            trigger = self.triggers.get(trigger_id)
            if trigger and trigger["used"]:
                raise SlackError("exchanged_trigger_id")
            if not trigger or time.monotonic() - trigger["issued_at"] > self.trigger_ttl:
                raise SlackError("expired_trigger_id")
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
