"""Signed QuickBooks deliveries the product cannot use: answered 200 (Intuit holds later events back until a
delivery is acknowledged), recorded as refused, and no answer carries Python internals (issue 16)."""

import base64
import hashlib
import hmac
import json
import logging

import pytest
from sqlalchemy import func, select

from models import WebhookDelivery
from tests.sandboxes import VERIFIER
from webhooks.app import create_app

INTERNALS = ("RecursionError", "Traceback", "maximum recursion", "Expecting value", "KeyError", "line 1 column")


def signed(body: bytes) -> dict:
    signature = base64.b64encode(hmac.new(VERIFIER.encode(), body, hashlib.sha256).digest()).decode()
    return {"intuit-signature": signature, "content-type": "application/json"}


@pytest.mark.parametrize(
    "body, why",
    [
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        (b'{"eventNotifications": [' * 20_000 + b"]}" * 20_000, "nested too deeply"),
        (b"not json at all", "not JSON"),
        (b'{"eventNotifications": [{"dataChangeEvent": {"entities": [{"name": "Bill"}]}}]}', "neither"),
        (json.dumps([{"specversion": "1.0", "type": 7}]).encode(), "neither"),
    ],
    ids=["deep-array", "deep-legacy", "not-json", "no-realm", "type-not-text"],
)
def test_a_signed_delivery_that_cannot_be_used_is_answered_200_and_refused_in_plain_words(
    qbo_runtime, caplog, body, why
):
    client = create_app(qbo_runtime).test_client()
    with caplog.at_level(logging.WARNING, logger="webhooks.quickbooks"):
        answer = client.post("/webhooks/quickbooks", data=body, headers=signed(body))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    said = answer.get_json()
    assert (said["events"], said["new"]) == (0, 0) and why in said["refused"]
    assert not any(word in answer.get_data(as_text=True) for word in INTERNALS)
    assert any("refused a signed QuickBooks webhook delivery" in record.getMessage() for record in caplog.records)
    with qbo_runtime.sessions() as session:
        assert session.scalar(select(func.count(WebhookDelivery.id))) == 0


def test_an_unsigned_deep_body_is_still_refused_401_before_it_is_read(qbo_runtime):
    body = b"[" * 200_000 + b"]" * 200_000
    headers = {**signed(body), "intuit-signature": "bm90LXRoZS1zaWduYXR1cmU="}
    answer = create_app(qbo_runtime).test_client().post("/webhooks/quickbooks", data=body, headers=headers)
    assert answer.status_code == 401 and "Recursion" not in answer.get_data(as_text=True)
