"""The page's command box sends a command registered with should_escape as Slack does: mentions as tokens."""

from urllib.parse import parse_qs

import pytest
from flask import Flask, request

from sandbox.slack import SlackState, serve_in_thread
from sandbox.slack.app_manifest import AppManifest
from sandbox.slack.demo import Demo

LINE = "/invoice delegate @pedro.buyer until 2026-12-31 in #procurement, not @nobody or a@b.example"


@pytest.fixture
def app():
    """A stand-in app's Request URL, and each request's form fields as they reach it."""
    got: list[dict] = []
    stand_in = Flask("stand-in")

    @stand_in.post("/slack/events")
    def events():
        got.append({k: v[0] for k, v in parse_qs(request.get_data().decode()).items()})
        return ""

    url, stop = serve_in_thread(stand_in)
    yield f"{url}/slack/events", got
    stop()


def typed(app, manifest: AppManifest) -> str:
    """The text the app gets when Paula types LINE in #procurement's message box."""
    url, got = app
    Demo(SlackState(), url, "secret", manifest=manifest).command(LINE, "U0BUYER1", "C0PROCURE")
    [sent] = got
    return sent["text"]


def test_an_escaped_command_gets_the_mentions_slack_would_send(app):
    text = typed(app, AppManifest(commands=("/invoice",), escaped=("/invoice",)))
    assert text == (
        "delegate <@U0BUYER2|pedro.buyer> until 2026-12-31 in <#C0PROCURE|procurement>, not @nobody or a@b.example"
    )


def test_a_command_without_should_escape_gets_the_text_as_typed(app):
    assert typed(app, AppManifest(commands=("/invoice",))) == LINE.removeprefix("/invoice ")


def test_the_manifest_says_which_commands_escape(tmp_path):
    path = tmp_path / "manifest.yml"
    path.write_text(
        "features:\n  slash_commands:\n    - command: /invoice\n      should_escape: true\n"
        "    - command: /other\n      should_escape: false\n"
    )
    manifest = AppManifest.load(path)
    assert manifest.escapes("/invoice") and not manifest.escapes("/other") and manifest.handles("/other")
