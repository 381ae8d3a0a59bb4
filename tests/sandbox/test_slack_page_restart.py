"""After a restart of the Slack sandbox (`make run` keeps it in a state file), a modal the page submitted or closed
stays closed and a dismissed ephemeral stays dismissed; what is still open stays open."""

import json
import signal
import subprocess
import sys
from urllib.parse import parse_qs

import pytest
import requests
from flask import Flask, request
from slack_sdk import WebClient
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from sandbox.slack import DEMO_TOKEN, serve_in_thread
from tests.e2e.helpers import free_ports, wait

SECRET = "restart-test-signing-secret"
CHANNEL, USER = "C0PROCURE", "U0BUYER1"


def reason_modal(title: str) -> View:
    return View(
        type="modal",
        callback_id="reason",
        title=title,
        submit="Reject",
        blocks=[InputBlock(block_id="reason", label="Reason", element=PlainTextInputElement(action_id="typed"))],
    )


def stand_in(api_url: str) -> Flask:
    """The app: a click on a button opens a modal titled after the button; any submission closes its modal."""
    app = Flask("stand-in")

    @app.post("/slack/events")
    def events():
        form = {k: v[0] for k, v in parse_qs(request.get_data().decode()).items()}
        payload = json.loads(form.get("payload", "{}"))
        if payload.get("type") == "block_actions":
            title = payload["actions"][0]["action_id"].title()
            WebClient(token=DEMO_TOKEN, base_url=api_url).views_open(
                trigger_id=payload["trigger_id"], view=reason_modal(title)
            )
        return ""

    return app


class Sandbox:
    """`python -m sandbox.slack` with a state file, as make run starts it; started again by `restart`."""

    def __init__(self, port: int, app_url: str, state_file) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.command = [sys.executable, "-m", "sandbox.slack", "--port", str(port), "--app-url", app_url]
        self.command += ["--signing-secret", SECRET, "--state-file", str(state_file)]
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait(lambda: self._up(), "the Slack sandbox answers")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=15)

    def _up(self) -> bool:
        try:
            return requests.get(f"{self.base}/_sandbox/workspace", timeout=1).ok
        except requests.ConnectionError:
            return False

    def page(self) -> str:
        return requests.get(f"{self.base}/", params={"as": USER}, timeout=5).text

    def post(self, route: str, **form) -> None:
        answer = requests.post(f"{self.base}{route}", data={"user": USER, **form}, timeout=10, allow_redirects=False)
        assert answer.status_code == 303, answer.text

    def modals(self) -> list[str]:
        """The titles of the modals the page shows open."""
        page = self.page()
        return sorted(v["view"]["title"]["text"] for v in self.views() if f'data-view-id="{v["view_id"]}"' in page)

    def views(self) -> list[dict]:
        """Every view the app opened, as the sandbox recorded it."""
        return requests.get(f"{self.base}/_sandbox/state", timeout=5).json()["views"]


@pytest.fixture
def sandbox(tmp_path):
    app_port, slack_port = free_ports(2)
    running = Sandbox(slack_port, f"http://127.0.0.1:{app_port}/slack/events", tmp_path / "slack-sandbox.json")
    stop_app = serve_in_thread(stand_in(f"{running.base}/api/"), port=app_port)[1]
    running.start()
    yield running
    if running.process.poll() is None:
        running.stop()
    stop_app()


def test_closed_modals_and_dismissed_ephemerals_stay_so_after_a_restart(sandbox):
    client = WebClient(token=DEMO_TOKEN, base_url=f"{sandbox.base}/api/")
    buttons = [ButtonElement(text=label, action_id=label.lower()) for label in ("Cancelled", "Submitted", "Open")]
    card = client.chat_postMessage(channel=CHANNEL, text="Invoice FE-1", blocks=[ActionsBlock(elements=buttons)])
    kept = client.chat_postEphemeral(channel=CHANNEL, user=USER, text="Still for you")["message_ts"]
    gone = client.chat_postEphemeral(channel=CHANNEL, user=USER, text="Dismissed for good")["message_ts"]
    for action in ("cancelled", "submitted", "open"):
        sandbox.post("/_sandbox/click", channel=CHANNEL, ts=card["ts"], action_id=action)
    opened = {v["view"]["title"]["text"]: v["view_id"] for v in sandbox.views()}
    assert sandbox.modals() == ["Cancelled", "Open", "Submitted"]
    sandbox.post("/_sandbox/dismiss", view_id=opened["Cancelled"])
    sandbox.post("/_sandbox/submit", view_id=opened["Submitted"], **{"input:reason": "Wrong stems"})
    sandbox.post("/_sandbox/ephemeral/dismiss", message_ts=gone)
    before = sandbox.page()
    assert sandbox.modals() == ["Open"] and "Still for you" in before and "Dismissed for good" not in before

    sandbox.stop()
    sandbox.start()

    after = sandbox.page()
    assert sandbox.modals() == ["Open"]
    assert "Still for you" in after and "Dismissed for good" not in after and kept != gone
    sandbox.post("/_sandbox/dismiss", view_id=opened["Open"])  # what stayed open still closes
    assert sandbox.modals() == []
