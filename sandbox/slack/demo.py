"""The page's stand-in for Slack's clients: signed clicks, modal submissions and slash commands sent to the app."""

from __future__ import annotations

import copy
import json
import time
from typing import Any
from urllib.parse import urlencode

import requests

from . import records, slackbot
from .app_manifest import AppManifest
from .blocks import ButtonNotFound, find_button
from .dates import ts_order
from .errors import SlackError
from .memory import PageMemory
from .payloads import SlackRequests
from .state import SlackState
from .typed import escape_mentions
from .workspace import Workspace


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
        self,
        state: SlackState,
        app_url: str | None = None,
        signing_secret: str | None = None,
        timeout: float = 5.0,
        manifest: AppManifest | None = None,
    ) -> None:
        self.state = state
        self.app_url = app_url
        self.timeout = timeout
        self.requests = SlackRequests(signing_secret or "", _StateSurface(state))  # type: ignore[arg-type]
        self.enabled = bool(app_url and signing_secret)
        self.manifest = manifest or AppManifest.load()
        self.memory = PageMemory(state)

    def click(
        self, channel: str, ts: str, action_id: str, user: str, *, confirmed: bool = False, ephemeral: bool = False
    ) -> None:
        """Click a button of a message (or of one of the user's ephemerals); one with a confirm asks first."""
        message = self._clickable(channel, ts, user, ephemeral)
        if message is None:
            self.memory.answered(user)
            return self.memory.note(user, "That message is gone; nothing was sent.")
        try:
            _, element = find_button(message.get("blocks"), action_id)
        except ButtonNotFound:
            self.memory.answered(user)
            return self.memory.note(user, "The card changed and no longer has that button; nothing was sent.")
        if isinstance(element.get("confirm"), dict) and not confirmed:
            pending = {"channel": channel, "ts": ts, "action_id": action_id, "ephemeral": ephemeral}
            return self.memory.ask(user, {**pending, "confirm": copy.deepcopy(element["confirm"])})
        self.memory.answered(user)
        headers, body = self.requests.block_actions(message, action_id, user)
        self._send(f"click {action_id}", user, headers, body)

    def _clickable(self, channel: str, ts: str, user: str, ephemeral: bool) -> dict[str, Any] | None:
        if ephemeral:
            found = [e for e in records.ephemerals(self.state, user, channel) if e["message_ts"] == ts]
            return found[-1] if found else None
        with self.state.lock:
            return copy.deepcopy(self.state.find_message(channel, ts))

    def deny(self, user: str) -> None:
        """The confirm dialog's deny button: the click is dropped, nothing is sent."""
        self.memory.answered(user)

    def submit(self, view_id: str, user: str, values: dict[str, str]) -> None:
        """Submit an opened modal with the typed values (by block_id); keeps it open on response_action errors."""
        record = next((v for v in records.views(self.state, user) if v["view_id"] == view_id), None)
        if record is None or self.memory.is_closed(view_id):
            return self.memory.note(user, "That modal is no longer open; nothing was sent.")
        try:
            headers, body = self.requests.view_submission(record["view"], values, user)
        except (ValueError, KeyError) as problem:
            return self.memory.note(user, f"Slack would not submit this modal: {problem}")
        answer, _ = self._send(f"submit {record['view'].get('callback_id') or view_id}", user, headers, body)
        if answer is None or answer.status_code != 200:
            return None
        reply = _json(answer)
        if reply.get("response_action") == "errors":
            errors = {str(k): str(v) for k, v in (reply.get("errors") or {}).items()}
            return self.memory.refused(view_id, errors, values)
        self.memory.close(view_id)

    def command(self, line: str, user: str, channel: str) -> None:
        """Send a slash command typed in `channel` if the app registered it; Slackbot answers otherwise."""
        line = line.strip()
        name = line.split(maxsplit=1)[0] if line else ""
        if not line.startswith("/"):
            return self._slackbot(user, channel, slackbot.not_sent(line)) if line else None
        if not self.manifest.handles(name):
            return self._slackbot(user, channel, slackbot.not_a_command(name))
        fields = self.requests.slash_command_payload(line, user, channel)
        if self.manifest.escapes(name):
            fields["text"] = escape_mentions(fields["text"], self.state.workspace)
        headers, body = self.requests.sign(urlencode(fields).encode())
        answer, seconds = self._send(f"command {line}", user, headers, body)
        failed = slackbot.failure(name, answer.status_code if answer is not None else None, seconds)
        if failed:
            return self._slackbot(user, channel, failed)
        if answer is None or not answer.content.strip():
            return None
        reply = _json(answer) or {"text": answer.text}
        try:
            records.respond(self.state, fields["response_url"].rsplit("/", 1)[-1], reply)
        except SlackError as problem:
            self.memory.note(user, f"The sandbox could not show the answer: {problem.code}")

    def _slackbot(self, user: str, channel: str, text: str) -> None:
        self.memory.slackbot(user, channel, text, self.state.next_ts())

    def dismiss(self, view_id: str) -> None:
        """Close a modal on the page, as Cancel does in Slack."""
        self.memory.close(view_id)

    def open_modals(self, user: str) -> list[dict[str, Any]]:
        """The user's modals that were opened and not yet submitted or closed."""
        opened = records.views(self.state, user)
        return [v for v in opened if v["surface"] == "modal" and not self.memory.is_closed(v["view_id"])]

    def ephemerals(self, user: str) -> list[dict[str, Any]]:
        """What only `user` sees, from the app and from Slackbot, without the dismissed ones, oldest first."""
        hidden = self.memory.dismissed(user)
        shown = [*records.ephemerals(self.state, user), *self.memory.from_slackbot(user)]
        return sorted((e for e in shown if e["message_ts"] not in hidden), key=lambda e: ts_order(e["message_ts"]))

    def _send(
        self, what: str, user: str, headers: dict[str, str], body: bytes
    ) -> tuple[requests.Response | None, float]:
        started = time.monotonic()
        try:
            answer = requests.post(self.app_url or "", data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as problem:
            self.memory.note(user, f"{what}: the app did not answer ({type(problem).__name__})")
            return None, time.monotonic() - started
        seconds = time.monotonic() - started
        self.memory.note(user, f"{what}: HTTP {answer.status_code} in {seconds:.2f} s")
        return answer, seconds


def _json(answer: requests.Response) -> dict[str, Any]:
    try:
        parsed = json.loads(answer.content or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
