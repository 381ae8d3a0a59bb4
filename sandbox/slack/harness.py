"""The in-process handle tests use: SlackSandbox, and serving any WSGI app on a background thread."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from . import records
from .app import create_app
from .state import Fault, SlackState
from .workspace import Workspace, demo_workspace


class _QuietHandler(WSGIRequestHandler):
    """Keeps test output free of one access-log line per Slack call."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Log nothing."""


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> tuple[str, Callable[[], None]]:
    """Serve a WSGI app on a free port; returns ("http://127.0.0.1:PORT", stop)."""
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"wsgi-{server.port}", daemon=True)
    thread.start()

    def stop() -> None:
        """Shut the server down and wait for its thread."""
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{server.port}", stop


class SlackSandbox:
    """A Slack workspace in memory: its Flask `app` and the recordings the app makes.

    With `app_url` and `signing_secret`, its page at / sends clicks, modals and commands to that Request URL.
    """

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        trigger_ttl: float = 3.0,
        app_url: str | None = None,
        signing_secret: str | None = None,
    ) -> None:
        self.state = SlackState(workspace or demo_workspace(), trigger_ttl=trigger_ttl)
        self.app = create_app(self.state, app_url=app_url, signing_secret=signing_secret)
        self.base_url = ""
        self._stop: Callable[[], None] | None = None

    @property
    def workspace(self) -> Workspace:
        """The live workspace configuration."""
        return self.state.workspace

    @property
    def api_url(self) -> str:
        """The base_url for slack_sdk's WebClient, once served."""
        return f"{self.base_url}/api/" if self.base_url else ""

    def serve(self) -> str:
        """Start serving on 127.0.0.1 and return api_url ("http://127.0.0.1:PORT/api/")."""
        if not self._stop:
            self.base_url, self._stop = serve_in_thread(self.app)
            self.state.base_url = self.base_url
        return self.api_url

    def stop(self) -> None:
        """Stop serving."""
        if self._stop:
            self._stop()
            self._stop = None

    def __enter__(self) -> SlackSandbox:
        self.serve()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget recordings and faults; keep the workspace."""
        self.state.reset()

    def configure(self, **config: Any) -> None:
        """Merge workspace settings, e.g. configure(tokens=["xoxb-1"], users={"U1": {"name": "ann"}})."""
        with self.state.lock:
            self.state.workspace.update(config)

    def change_channel(self, channel: str, **changes: Any) -> None:
        """Archive a channel (is_archived=True) or remove the bot from it (is_member=False), or undo it."""
        with self.state.lock:
            self.state.workspace.change_channel(channel, **changes)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Top-level messages of a channel, oldest first; each has "history" (earlier versions)."""
        return records.messages(self.state, channel)

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """One recorded top-level message or reply; KeyError if absent."""
        with self.state.lock:
            found = self.state.find_message(channel, ts)
            if found is None:
                raise KeyError(f"no message {ts} in {channel}")
            return copy.deepcopy(found)

    def last_message(self, channel: str) -> dict[str, Any]:
        """The newest top-level message of a channel; LookupError if there is none."""
        found = self.messages(channel)
        if not found:
            raise LookupError(f"no messages in {channel}")
        return found[-1]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies under message `ts`, oldest first."""
        return records.thread(self.state, channel, ts)

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages, optionally for one user or channel."""
        return records.ephemerals(self.state, user, channel)

    def views(self, user: str | None = None) -> list[dict[str, Any]]:
        """Opened views, oldest first."""
        return records.views(self.state, user)

    def home(self, user: str) -> dict[str, Any] | None:
        """The Home tab views.publish last published for `user` (its earlier versions in "history"), or None."""
        return next((v for v in records.views(self.state, user) if v["surface"] == "home"), None)

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Logged Web API calls, optionally of one method."""
        return records.calls(self.state, method)

    def responses(self) -> list[dict[str, Any]]:
        """Everything the app POSTed to response_urls."""
        return self.state.snapshot()["responses"]

    def fail_next(
        self, method: str, status: int = 429, retry_after: int = 1, count: int = 1, error: str | None = None
    ) -> None:
        """Make the next `count` calls of `method` ("*" for any) answer 429/5xx, or ok:false `error`."""
        self.state.add_fault(Fault(method, status, retry_after, error, count))

    def issue_trigger_id(self, user: str | None = None, age: float = 0.0) -> str:
        """A trigger_id views.open accepts once, for `trigger_ttl` seconds from a click `age` seconds ago."""
        return self.state.issue_trigger(user, age)

    def response_url(self, channel: str, user: str, message_ts: str | None = None) -> str:
        """A response_url whose POSTs are recorded (served URL, or a placeholder when not served)."""
        return records.response_url(self.state, channel, user, message_ts)
