"""The Slack workspace's recordings kept in a file, so a restarted sandbox shows what it showed before.

Kept: messages (with their threads and edit history), ephemerals, views, response_url targets and
what was posted to them, the modals the page closed and the ephemerals it dismissed, and the ts clock. Not kept: the call log, scripted faults and trigger_ids
(Slack's expire within 3 s anyway); the workspace itself comes from the command line.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

from sandbox.state_file import write_private

from .state import SlackState

KEPT = ("messages", "ephemerals", "views", "responses", "response_targets", "closed_views", "dismissed")


class StateFile:
    """Loads a SlackState from `path` and writes it back, atomically, after each change."""

    def __init__(self, state: SlackState, path: Path) -> None:
        self.state, self.path = state, Path(path)
        self._writing = threading.Lock()

    def load(self) -> bool:
        """Restore what the file holds into the state; False when there is no file yet."""
        saved = read(self.path)
        if saved is None:
            return False
        with self.state.lock:
            for name in KEPT:
                if name in saved:
                    setattr(self.state, name, saved[name])
            self.state.messages = defaultdict(list, self.state.messages)
            self.state._last_ts_us = int(saved.get("last_ts_us", 0))
        return True

    def save(self) -> None:
        """Write the state to the file: a temporary file renamed over it, so a crash never leaves half of one."""
        with self.state.lock:
            data = {name: getattr(self.state, name) for name in KEPT}
            text = json.dumps({**data, "last_ts_us": self.state._last_ts_us})
        with self._writing:
            write_private(self.path, text)


def read(path: Path) -> dict[str, Any] | None:
    """The saved state as data, or None when there is no file."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None


def message_count(path: Path) -> int:
    """How many messages (cards and thread replies) a saved workspace holds; 0 without a file."""
    saved = read(path) or {}
    return sum(len(found) for found in saved.get("messages", {}).values())
