"""/invoice delegate typed in the Slack sandbox page's command box reaches the app as Slack sends it and is answered
there, on both databases: the page sends the typed @handle as <@U…|handle> (the command's should_escape).

Skipped until the delegate command (bot/listeners/delegation.py) and the manifest's should_escape are in place.
"""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from jobs import tasks
from sandbox.slack import SlackSandbox, demo_workspace, serve_in_thread
from sandbox.slack.app_manifest import AppManifest
from tests.backends import BASE_SETTINGS, with_settings
from tests.sandboxes import PROCUREMENT
from webhooks.app import create_app

pytest.importorskip("bot.listeners.delegation", reason="the /invoice delegate command has not landed")
pytestmark = pytest.mark.skipif(
    not AppManifest.load().escapes("/invoice"), reason="bot/manifest.yml does not escape /invoice's mentions yet"
)


@pytest.fixture
def page(runtime):
    """A Slack sandbox whose page acts towards the app served over HTTP, the app posting to that sandbox."""
    holder: dict = {}
    base, stop_app = serve_in_thread(lambda environ, start: holder["app"](environ, start))
    workspace = demo_workspace(tokens=[BASE_SETTINGS["slack_bot_token"]])
    secret = BASE_SETTINGS["slack_signing_secret"]
    with SlackSandbox(workspace, app_url=f"{base}/slack/events", signing_secret=secret) as sandbox:
        pointed = with_settings(runtime, slack_api_url=sandbox.api_url)
        tasks.configure(pointed)
        holder["app"] = create_app(pointed)
        yield sandbox
    tasks.configure(runtime)
    stop_app()


def typed(sandbox, line: str, user: str = "U0BUYER1") -> str:
    """Type `line` in #procurement's box as `user`; the answer only they see."""
    form = {"user": user, "channel": PROCUREMENT, "command": line}
    answer = requests.post(f"{sandbox.base_url}/_sandbox/command", data=form, timeout=10, allow_redirects=False)
    assert answer.status_code == 303
    return sandbox.ephemerals(user=user)[-1]["text"]


def test_delegate_works_from_the_pages_command_box(page):
    until = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    granted = typed(page, f"/invoice delegate @olga.outsider until {until}")
    assert "<@U0OUTSIDE> approves for <@U0BUYER1>" in granted and until in granted
    assert f"through {until}" in typed(page, "/invoice delegate")
    assert typed(page, "/invoice delegate off") == "Your delegation is ended."
