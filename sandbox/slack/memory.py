"""What the page remembers per person beyond Slack's recorded state: its own client-side memory.

Slack's clients keep these locally too: which modals were closed, what was typed, a confirm dialog
waiting for an answer, which ephemerals were dismissed, Slackbot's answers, and the request log. Which modals
were closed and which ephemerals dismissed live in the SlackState, so the state file keeps them: a restarted
sandbox shows neither again, as Slack would not.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Any

from .state import SlackState

NOTES_KEPT = 10


class PageMemory:
    """Per-user page state; every method is safe to call from the server's threads."""

    def __init__(self, state: SlackState | None = None) -> None:
        self.lock = threading.RLock()
        self.state = state or SlackState()
        self._notes: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=NOTES_KEPT))
        self._errors: dict[str, dict[str, str]] = {}
        self._typed: dict[str, dict[str, str]] = {}
        self._confirming: dict[str, dict[str, Any]] = {}
        self._slackbot: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def note(self, user: str, text: str) -> None:
        """Log what happened to one of the user's requests."""
        with self.lock:
            self._notes[user].append(f"{time.strftime('%H:%M:%S')} {text}")

    def notes(self, user: str) -> list[str]:
        """The user's request log, newest first."""
        with self.lock:
            return list(reversed(self._notes[user]))

    def close(self, view_id: str) -> None:
        """Forget a modal: submitted without errors, or cancelled."""
        with self.state.lock:
            if view_id not in self.state.closed_views:
                self.state.closed_views.append(view_id)
        with self.lock:
            self._errors.pop(view_id, None)
            self._typed.pop(view_id, None)

    def is_closed(self, view_id: str) -> bool:
        """Whether the modal was closed on the page."""
        with self.state.lock:
            return view_id in self.state.closed_views

    def refused(self, view_id: str, errors: dict[str, str], typed: dict[str, str]) -> None:
        """Keep the app's response_action errors and what was typed, so the modal shows both again."""
        with self.lock:
            self._errors[view_id] = dict(errors)
            self._typed[view_id] = dict(typed)

    def errors(self, view_id: str) -> dict[str, str]:
        """The app's errors for a modal, by block_id."""
        with self.lock:
            return dict(self._errors.get(view_id, {}))

    def typed(self, view_id: str) -> dict[str, str]:
        """What was typed into a modal that the app refused, by block_id."""
        with self.lock:
            return dict(self._typed.get(view_id, {}))

    def ask(self, user: str, pending: dict[str, Any]) -> None:
        """Hold a click whose button carries a confirm object until the user answers."""
        with self.lock:
            self._confirming[user] = dict(pending)

    def answered(self, user: str) -> None:
        """The confirm dialog was answered (either way)."""
        with self.lock:
            self._confirming.pop(user, None)

    def confirming(self, user: str) -> dict[str, Any] | None:
        """The click waiting for the user's confirmation, if any."""
        with self.lock:
            pending = self._confirming.get(user)
            return dict(pending) if pending else None

    def dismiss(self, user: str, message_ts: str) -> None:
        """Hide an ephemeral message, as "Dismiss" does in Slack."""
        with self.state.lock:
            hidden = self.state.dismissed.setdefault(user, [])
            if message_ts not in hidden:
                hidden.append(message_ts)

    def dismissed(self, user: str) -> set[str]:
        """The message_ts of the user's dismissed ephemerals."""
        with self.state.lock:
            return set(self.state.dismissed.get(user, ()))

    def slackbot(self, user: str, channel: str, text: str, message_ts: str) -> None:
        """An ephemeral from Slackbot to the user, in the channel where the user typed."""
        with self.lock:
            self._slackbot[user].append(
                {
                    "channel": channel,
                    "user": user,
                    "text": text,
                    "blocks": None,
                    "message_ts": message_ts,
                    "via": "slackbot",
                }
            )

    def from_slackbot(self, user: str) -> list[dict[str, Any]]:
        """Slackbot's ephemerals to the user, oldest first."""
        with self.lock:
            return [dict(e) for e in self._slackbot[user]]
