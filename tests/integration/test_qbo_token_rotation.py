"""Refresh tokens as Intuit rotates them (issue 16 item 7): the same one answered for about a day, then a new one
that replaces it. The product keeps whatever it is answered (qbo/tokens.py), so neither answer breaks the
connection; through intuitlib and python-quickbooks against the sandbox, both databases."""

import requests
from sqlalchemy import select

from models import QboConnection
from qbo.tokens import cipher
from sandbox.erp import example_upload
from tests.builders import sent_invoice, settle

TOKENS = "/oauth2/v1/tokens/bearer"
CLIENT = ("sandbox-client-id", "sandbox-client-secret")


def stored_tokens(runtime) -> tuple[str, str]:
    """The connection's (refresh token, access token) as the database keeps them, decrypted."""
    with runtime.sessions() as session:
        connection = session.scalars(select(QboConnection)).one()
        refresh, access = connection.refresh_token_encrypted, connection.access_token_encrypted
    box = cipher(runtime.settings)
    return box.decrypt(refresh.encode()).decode(), box.decrypt(access.encode()).decode()


def synced(runtime, number: str) -> str:
    data = example_upload()
    data["invoice"]["number"] = number
    return settle(runtime, sent_invoice(runtime, data))


def refresh_with(sandbox, token: str) -> requests.Response:
    return requests.post(
        f"{sandbox.base}{TOKENS}", data={"grant_type": "refresh_token", "refresh_token": token}, auth=CLIENT, timeout=5
    )


def test_the_same_refresh_token_within_a_day_and_a_new_one_after_are_both_kept(qbo_runtime, sandbox):
    bootstrap = qbo_runtime.settings.qbo_refresh_token.get_secret_value()
    assert synced(qbo_runtime, "FE-1") == "S"
    refresh, first_access = stored_tokens(qbo_runtime)
    assert refresh == bootstrap  # within the day: Intuit answered the same refresh token, and it is kept

    sandbox.control("POST", f"/realms/{sandbox.realm}/expire-tokens")
    assert synced(qbo_runtime, "FE-2") == "S"
    refresh, second_access = stored_tokens(qbo_runtime)
    assert refresh == bootstrap and second_access != first_access

    sandbox.control("POST", "/config", refresh_rotation_seconds=0, refresh_grace_seconds=0)  # the day is over
    sandbox.control("POST", f"/realms/{sandbox.realm}/expire-tokens")
    assert synced(qbo_runtime, "FE-3") == "S"
    rotated, _ = stored_tokens(qbo_runtime)
    assert rotated != bootstrap and rotated.startswith("sbx-rt-")
    assert (refresh_with(sandbox, bootstrap).status_code, refresh_with(sandbox, bootstrap).json()) == (
        400,
        {"error": "invalid_grant"},
    )
    sandbox.control("POST", f"/realms/{sandbox.realm}/expire-tokens")
    assert synced(qbo_runtime, "FE-4") == "S"  # the kept one still works
    assert len(sandbox.bills()) == 4
