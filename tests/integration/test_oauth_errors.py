"""The QuickBooks connect callback says what went wrong in the admin's terms."""

from urllib.parse import parse_qs, urlencode, urlparse

import requests
from sqlalchemy import select

from models import QboConnection
from tests.backends import with_settings
from webhooks.app import create_app
from webhooks.oauth import connect_link

REALM = "9341455000000777"


def consented(client, settings) -> dict:
    """The query Intuit's consent page redirects back with (code, state, realmId), as a dict of strings."""
    start = client.get(connect_link(settings, "http://localhost"))
    consent = requests.get(start.location + f"&realmId={REALM}", allow_redirects=False, timeout=5)
    return {key: values[0] for key, values in parse_qs(urlparse(consent.headers["Location"]).query).items()}


def test_a_refused_authorization_code_says_to_start_the_connection_again_and_connects_nothing(qbo_runtime, sandbox):
    unpinned = with_settings(qbo_runtime, qbo_realm_id=None)
    client = create_app(unpinned).test_client()
    back = {**consented(client, unpinned.settings), "code": "a-code-intuit-never-issued"}
    answer = client.get(f"/quickbooks/callback?{urlencode(back)}")
    assert answer.status_code == 400, answer.get_data(as_text=True)
    detail = answer.json["detail"]
    assert "authorization code of this connect attempt" in detail and "Start the connection again" in detail
    assert "refresh token" not in detail
    with qbo_runtime.sessions() as session:
        assert session.scalars(select(QboConnection)).all() == []


def test_a_code_used_twice_is_refused_in_the_same_words(qbo_runtime, sandbox):
    unpinned = with_settings(qbo_runtime, qbo_realm_id=None)
    client = create_app(unpinned).test_client()
    first = consented(client, unpinned.settings)
    assert client.get(f"/quickbooks/callback?{urlencode(first)}").status_code == 200
    # A second connect attempt whose callback carries the first attempt's (already redeemed) code.
    replayed = {**consented(client, unpinned.settings), "code": first["code"]}
    answer = client.get(f"/quickbooks/callback?{urlencode(replayed)}")
    assert answer.status_code == 400
    assert "was already used" in answer.json["detail"] and "refresh token" not in answer.json["detail"]
