"""The page's stand-in for Slack's clients: signed clicks, modal submissions and slash commands sent to the app."""

from __future__ import annotations

import copy
import json
import time
from collections import defaultdict, deque
from typing import Any
from urllib.parse import urlencode

import requests

from . import records
from .blocks import ButtonNotFound
from .errors import SlackError
from .payloads import SlackRequests
from .state import SlackState
from .workspace import Workspace

NOTES_KEPT = 10


class _StateSurface:
    """What SlackRequests asks of a sandbox (workspace, triggers, response_urls), over a served state."""

    def __init__(self, state: SlackState) -> None:
        self.state = state

    @property
    def workspace(self) -> Workspace:
        """The live workspace."""
        return self.state.workspace

    def issue_trigger_id(self, user: str | None = None) -> str:
        """A trigger_id views.open accepts once."""
        return self.state.issue_trigger(user)

    def response_url(self, channel: str, user: str, message_ts: str | None = None) -> str:
        """A response_url whose POSTs the sandbox records."""
        return records.response_url(self.state, channel, user, message_ts)


class Demo:
    """Acts as Slack towards the app at `app_url` for whoever uses the page; read-only without one."""

    def __init__(
        self, state: SlackState, app_url: str | None = None, signing_secret: str | None = None, timeout: float = 5.0
    ) -> None:
        self.state = state
        self.app_url = app_url
        self.timeout = timeout
        self.requests = SlackRequests(signing_secret or "", _StateSurface(state))  # type: ignore[arg-type]
        self.enabled = bool(app_url and signing_secret)
        self._notes: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=NOTES_KEPT))
        self._closed: set[str] = set()
        self._errors: dict[str, dict[str, str]] = {}

    def click(self, channel: str, ts: str, action_id: str, user: str) -> None:
        """Click a button of a recorded message as `user`."""
        with self.state.lock:
            message = copy.deepcopy(self.state.find_message(channel, ts))
        if message is None:
            return self.note(user, "That message is gone; nothing was sent.")
        try:
            headers, body = self.requests.block_actions(message, action_id, user)
        except ButtonNotFound:
            return self.note(user, "The card changed and no longer has that button; nothing was sent.")
        self._send(f"click {action_id}", user, headers, body)

    def submit(self, view_id: str, user: str, values: dict[str, str]) -> None:
        """Submit an opened modal with the typed values (by block_id); keeps it open on response_action errors."""
        record = next((v for v in records.views(self.state, user) if v["view_id"] == view_id), None)
        if record is None or view_id in self._closed:
            return self.note(user, "That modal is no longer open; nothing was sent.")
        try:
            headers, body = self.requests.view_submission(record["view"], values, user)
        except (ValueError, KeyError) as problem:
            return self.note(user, f"Slack would not submit this modal: {problem}")
        answer = self._send(f"submit {record['view'].get('callback_id') or view_id}", user, headers, body)
        if answer is None or answer.status_code != 200:
            return None
        reply = _json(answer)
        if reply.get("response_action") == "errors":
            self._errors[view_id] = {str(k): str(v) for k, v in (reply.get("errors") or {}).items()}
            return None
        self.dismiss(view_id)

    def command(self, line: str, user: str, channel: str) -> None:
        """Send a slash command typed in `channel`; a body in the answer is shown as Slack shows it."""
        fields = self.requests.slash_command_payload(line, user, channel)
        headers, body = self.requests.sign(urlencode(fields).encode())
        answer = self._send(f"command {line.strip()}", user, headers, body)
        if answer is None or answer.status_code != 200 or not answer.content.strip():
            return
        reply = _json(answer) or {"text": answer.text}
        try:
            records.respond(self.state, fields["response_url"].rsplit("/", 1)[-1], reply)
        except SlackError as problem:
            self.note(user, f"The sandbox could not show the answer: {problem.code}")

    def dismiss(self, view_id: str) -> None:
        """Close a modal on the page, as Cancel does in Slack."""
        with self.state.lock:
            self._closed.add(view_id)
            self._errors.pop(view_id, None)

    def open_modals(self, user: str) -> list[dict[str, Any]]:
        """The user's modals that were opened and not yet submitted or closed."""
        with self.state.lock:
            opened = records.views(self.state, user)
            return [v for v in opened if v["surface"] == "modal" and v["view_id"] not in self._closed]

    def errors(self, view_id: str) -> dict[str, str]:
        """The app's response_action errors for a modal, by block_id."""
        with self.state.lock:
            return dict(self._errors.get(view_id, {}))

    def notes(self, user: str) -> list[str]:
        """What happened to the user's recent requests, newest first."""
        with self.state.lock:
            return list(reversed(self._notes[user]))

    def note(self, user: str, text: str) -> None:
        """Remember an outcome to show the user."""
        with self.state.lock:
            self._notes[user].append(f"{time.strftime('%H:%M:%S')} {text}")

    def _send(self, what: str, user: str, headers: dict[str, str], body: bytes) -> requests.Response | None:
        started = time.monotonic()
        try:
            answer = requests.post(self.app_url or "", data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as problem:
            self.note(user, f"{what}: the app did not answer ({type(problem).__name__})")
            return None
        self.note(user, f"{what}: HTTP {answer.status_code} in {time.monotonic() - started:.2f} s")
        return answer


def _json(answer: requests.Response) -> dict[str, Any]:
    try:
        parsed = json.loads(answer.content or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
