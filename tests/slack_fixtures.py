"""Fixtures for the bot's tests: the Slack sandbox, a runtime pointed at it, the app, uploads and jobs."""

import json

import pytest
from rq import SimpleWorker

from sandbox.erp import example_upload, signed_headers
from sandbox.slack import SlackRequests, SlackSandbox, demo_workspace
from services import runtime as runtimes
from services.events import CARD_JOB
from services.runtime import Runtime
from tests.backends import BASE_SETTINGS

PROCUREMENT, ACCOUNTING = "C0PROCURE", "C0ACCOUNT"


@pytest.fixture(scope="session")
def served_slack():
    """One Slack sandbox for the session, accepting the test token."""
    with SlackSandbox(demo_workspace(tokens=[BASE_SETTINGS["slack_bot_token"]])) as sandbox:
        yield sandbox


@pytest.fixture
def slack_sandbox(served_slack):
    """The sandbox with nothing recorded."""
    served_slack.reset()
    return served_slack


@pytest.fixture
def slack_runtime(runtime, slack_sandbox):
    """The test runtime with SLACK_API_URL pointing at the sandbox, configured as the process's runtime."""
    settings = runtime.settings.model_copy(update={"slack_api_url": slack_sandbox.api_url})
    pointed = Runtime(settings, runtime.engine, runtime.sessions, runtime.redis)
    runtimes.configure(pointed)
    yield pointed
    runtimes.configure(runtime)


@pytest.fixture
def slack_app(slack_runtime):
    """The Flask app on the sandbox-pointed runtime."""
    from webhooks.app import create_app

    return create_app(slack_runtime)


@pytest.fixture
def web(slack_app):
    """A test client of the app."""
    return slack_app.test_client()


@pytest.fixture
def slack(slack_sandbox):
    """Signed requests as Slack would send them to the app."""
    return SlackRequests(BASE_SETTINGS["slack_signing_secret"], slack_sandbox)


def upload(web, **invoice_changes) -> int:
    """Upload the example invoice (with changes to its "invoice" part) and return its id."""
    data = example_upload()
    data["invoice"].update(invoice_changes)
    body = json.dumps(data).encode()
    answer = web.post("/webhooks/vendor-invoices", data=body,
                      headers=signed_headers(BASE_SETTINGS["upload_webhook_secret"], body))
    assert answer.status_code in (200, 202), answer.get_json()
    return answer.get_json()["id"]


def approved_by_procurement(web, slack, sandbox, runtime: Runtime, user: str = "U0BUYER1") -> int:
    """Upload the example invoice, approve it for Procurement as `user`, run the card jobs; return its id."""
    invoice_id = upload(web)
    run_jobs(runtime)
    post(web, slack.block_actions(card(sandbox, PROCUREMENT), "Approve", user=user))
    run_jobs(runtime)
    return invoice_id


def run_jobs(runtime: Runtime) -> list[str]:
    """Run the queued card jobs through a real RQ worker; return the other jobs' functions, set aside."""
    queue = runtime.queue()
    others = []
    for job in queue.get_jobs():
        if job.func_name != CARD_JOB:
            others.append(job.func_name)
            queue.remove(job)
    SimpleWorker([queue], connection=runtime.redis).work(burst=True)
    return others


def post(web, request) -> int:
    """POST a signed (headers, body) to /slack/events; return the status code."""
    headers, body = request
    return web.post("/slack/events", data=body, headers=headers).status_code


def card(sandbox, channel: str) -> dict:
    """The one card of a channel (asserting there is exactly one)."""
    messages = sandbox.messages(channel)
    assert len(messages) == 1, [m["text"] for m in messages]
    return messages[0]


def buttons(message: dict) -> list[str]:
    """The labels of a card's buttons."""
    return [e["text"]["text"] for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def card_text(message: dict) -> str:
    """All the text of a card's blocks."""
    return json.dumps(message.get("blocks", []), ensure_ascii=False)
