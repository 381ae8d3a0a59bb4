"""Another site's page cannot click, type or reconfigure on the local sandboxes; their own pages and clients still can.

A browser sends `Origin` with every POST; the tests' clients (requests, slack_sdk) send none (sandbox/same_origin.py).
"""

import pytest
import requests
from flask import Flask, request

from sandbox.erp_host import create_app as create_erp
from sandbox.slack import DEMO_TOKEN, SlackSandbox, serve_in_thread
from tests.sandboxes import QboSandbox

EVIL = "https://evil.example"
COMMAND = {"user": "U0BUYER1", "channel": "C0PROCURE", "command": "/invoice status FE-20931"}


@pytest.fixture
def acting():
    """A Slack sandbox whose page acts towards a stand-in app recording what reaches it."""
    received: list[bytes] = []
    app = Flask("stand-in")

    @app.post("/slack/events")
    def events():
        received.append(request.get_data())
        return ""

    url, stop = serve_in_thread(app)
    with SlackSandbox(app_url=f"{url}/slack/events", signing_secret="cross-site-secret") as sandbox:
        yield sandbox, received
    stop()


def typed(sandbox, **headers) -> requests.Response:
    """The page's command box submitted, with the headers a browser would add."""
    url = f"{sandbox.base_url}/_sandbox/command"
    return requests.post(url, data=COMMAND, headers=headers, timeout=10, allow_redirects=False)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:1"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_command_typed_by_another_sites_page_is_refused_and_never_reaches_the_app(acting, headers):
    sandbox, received = acting
    answer = typed(sandbox, **headers)
    assert answer.status_code == 403 and answer.json()["error"] == "cross_site_request"
    assert received == []


def test_the_pages_own_command_box_and_a_client_without_origin_still_work(acting):
    sandbox, received = acting
    own = typed(sandbox, Origin=sandbox.base_url, **{"Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 303 and len(received) == 1
    assert typed(sandbox).status_code == 303 and len(received) == 2


def test_a_page_on_a_rebound_dns_name_is_refused_although_it_is_same_origin_with_itself(acting):
    sandbox, received = acting
    port = sandbox.base_url.rsplit(":", 1)[1]
    answer = typed(sandbox, Host=f"rebound.example:{port}", Origin=f"http://rebound.example:{port}")
    assert answer.status_code == 403 and received == []
    assert typed(sandbox, Host=f"localhost:{port}", Origin=f"http://localhost:{port}").status_code == 303


def test_another_sites_page_cannot_call_the_slack_web_api_or_the_control_api(acting):
    sandbox, _ = acting
    post = f"{sandbox.base_url}/api/chat.postMessage"
    args = {"token": DEMO_TOKEN, "channel": "C0PROCURE", "text": "hi"}
    assert requests.post(post, data=args, headers={"Origin": EVIL}, timeout=5).status_code == 403
    assert requests.post(f"{sandbox.base_url}/_sandbox/reset", headers={"Origin": EVIL}, timeout=5).status_code == 403
    assert requests.post(post, data=args, timeout=5).json()["ok"] is True  # slack_sdk sends no Origin


def test_another_sites_page_cannot_drive_the_quickbooks_control_api():
    qbo = QboSandbox()
    try:
        bills = f"{qbo.base}/_sandbox/realms/{qbo.realm}/bills"
        for method, route in (("POST", "/reset"), ("POST", "/faults"), ("PUT", "/config"), ("DELETE", "/faults")):
            answer = requests.request(
                method, f"{qbo.base}/_sandbox{route}", json={}, headers={"Origin": EVIL}, timeout=5
            )
            assert answer.status_code == 403, (method, route)
        own = requests.post(
            f"{qbo.base}/_sandbox/faults", json={"kind": "throttle"}, headers={"Origin": qbo.base}, timeout=5
        )
        assert own.status_code < 300
        assert requests.get(bills, headers={"Origin": EVIL}, timeout=5).status_code == 200  # reading changes nothing
        assert qbo.control("DELETE", "/faults") is not None  # the tests' client: no Origin
    finally:
        qbo.stop()


def test_another_sites_page_cannot_script_the_local_erp():
    base, stop = serve_in_thread(create_erp(secret="whsec_" + "A" * 32))
    try:
        refused = requests.post(f"{base}/_sandbox/secret", json={"secret": "x"}, headers={"Origin": EVIL}, timeout=5)
        assert refused.status_code == 403
        assert requests.post(f"{base}/_sandbox/secret", json={"secret": "whsec_x"}, timeout=5).status_code == 204
    finally:
        stop()
