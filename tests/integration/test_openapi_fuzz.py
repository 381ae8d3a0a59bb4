"""Schemathesis against the app's OpenAPI document, in-process (WSGI) on both databases: no 5xx, every answer
documented (status, content type and body schema).

Every request to a signed endpoint is signed with UPLOAD_WEBHOOK_SECRET by the `before_call` hook below, exactly
as the ERP signs it (sandbox.erp.signed_headers, a fresh webhook-id each), so the fuzzing reaches the validation
and the store behind the signature; a case generated without one of the three headers goes unsigned (401). The read
API gets `Authorization: Bearer` of the ERP_API_TOKEN set on the test runtime.
"""

import base64
import hashlib
import hmac
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sandbox.erp import signed_headers
from tests.backends import BASE_SETTINGS, with_settings
from tests.builders import approved_invoice
from webhooks.app import create_app
from webhooks.openapi import document
from webhooks.openapi_components import WEBHOOK_HEADERS

TOKEN = "erp-read-token-for-the-fuzzer"
# Bounded so that the module (both databases) stays under about a minute on a busy 2-core machine.
EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# A global hook (before_call has no narrower scope); only this module's calls reach the paths it acts on.
@schemathesis.hook
def before_call(context, case, kwargs):
    """Sign a signed endpoint's body as the ERP does; give the read API its token."""
    if case.path.startswith("/api/"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
    if not case.path.startswith("/webhooks/vendor-invoices") or not set(WEBHOOK_HEADERS) <= set(case.headers or {}):
        return
    # The body serialized here, signed, and sent as these very bytes, so the signature covers what arrives.
    prepared = case.as_transport_kwargs()
    body = json.dumps(prepared["json"]).encode() if "json" in prepared else prepared.get("data") or b""
    body = body.encode() if isinstance(body, str) else body
    kwargs["data"] = body
    # Only the three webhook headers: the content type stays the generated one, so 415 is fuzzed too.
    signed = _signed(body)
    case.headers = {**case.headers, **{name: signed[name] for name in WEBHOOK_HEADERS}}


def _signed(body: bytes) -> dict:
    """The ERP's headers for `body`; one that is not UTF-8 (which the library cannot sign) is signed by hand."""
    secret = BASE_SETTINGS["upload_webhook_secret"]
    try:
        return signed_headers(secret, body)
    except UnicodeDecodeError:
        headers = signed_headers(secret, b"")
        key = base64.b64decode(secret.removeprefix("whsec_"))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        digest = hmac.new(key, signed, hashlib.sha256).digest()
        return {**headers, "webhook-signature": "v1," + base64.b64encode(digest).decode()}


# Loaded from the dict the app serves (the fixture checks that it does): schemathesis' loader from a fixture
# (schemathesis.pytest.from_fixture, for from_wsgi on the test runtime's app) breaks on pytest 9.2's nodes.
schema = schemathesis.openapi.from_dict(document())


@pytest.fixture
def fuzzed_app(runtime):
    """The app on the test runtime with the read API's token set, holding the example invoice, Approved (id 1).

    The documented examples then reach the answers with bodies: the invoice read back, a feed with its events,
    the ERP's Send done (202). The app serves the very document fuzzed here."""
    pointed = with_settings(runtime, erp_api_token=SecretStr(TOKEN))
    assert approved_invoice(pointed) == 1
    app = create_app(pointed)
    assert app.test_client().get("/openapi.json").json == document()
    return app


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_documented(case, fuzzed_app):
    case.call_and_validate(checks=CHECKS, app=fuzzed_app)
