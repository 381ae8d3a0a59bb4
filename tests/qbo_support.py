"""A running QuickBooks sandbox and a runtime pointed at it, plus invoices walked to ES, for QBO tests."""

import copy
import time

import pytest
import requests
from pydantic import SecretStr

from invoices.rules import Actor, Role
from invoices.statuses import Action
from jobs.quickbooks import QboTransient
from jobs.sync import sync_invoice
from models import Invoice
from models.database import transaction
from sandbox.erp import example_upload
from sandbox.quickbooks import create_app, serve_in_thread
from services import runtime as runtimes
from services.actions import apply_action
from services.intake import receive_upload
from services.runtime import Runtime
from services.sending import request_sync
from services.upload_payload import parse_upload

BUYER = Actor("U0BUYER1", frozenset({Role.PROCUREMENT_APPROVER}))
ACCOUNTANT = Actor("U0ACCT", frozenset({Role.ACCOUNTING_APPROVER}))
AP = Actor("U0AP1", frozenset({Role.AP_SENDER}))
VERIFIER = "sandbox-verifier-token"


class Sandbox:
    """The sandbox served on a thread, with its control API at hand."""

    def __init__(self, **settings):
        settings.setdefault("limits_enabled", False)
        self.app = create_app(**settings)
        self.base, self.stop = serve_in_thread(self.app)
        self.realm = self.app.extensions["qbo_sandbox"].store.settings.realm_id

    def control(self, method, route, /, **body):
        """Call the control API and answer its JSON."""
        response = requests.request(method, f"{self.base}/_sandbox{route}", json=body, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    def bills(self):
        """Every live Bill of the default company."""
        return self.control("GET", f"/realms/{self.realm}/bills")["bills"]

    def fault(self, **spec):
        """Script a fault, e.g. fault(kind="throttle", count=2, path="/bill")."""
        return self.control("POST", "/faults", **spec)

    def settings_for(self, runtime: Runtime, **extra):
        """The runtime's settings pointed at this sandbox with a fresh bootstrap refresh token."""
        token = self.control("POST", f"/realms/{self.realm}/tokens")["refresh_token"]
        return runtime.settings.model_copy(update={
            "qbo_environment": f"{self.base}/.well-known/openid-configuration",
            "qbo_api_url": f"{self.base}/v3", "qbo_realm_id": self.realm, "qbo_refresh_token": SecretStr(token),
            "qbo_client_id": "sandbox-client-id", "qbo_client_secret": SecretStr("sandbox-client-secret"),
            "qbo_webhook_verifier_token": SecretStr(VERIFIER), "qbo_http_timeout": 1.5, "qbo_throttle_backoff": 0.05,
            **extra})


@pytest.fixture
def sandbox():
    """A fresh sandbox per test."""
    running = Sandbox()
    yield running
    running.stop()


@pytest.fixture
def qbo_runtime(runtime, sandbox):
    """The test runtime (both backends) with its settings pointed at the sandbox."""
    pointed = Runtime(sandbox.settings_for(runtime), runtime.engine, runtime.sessions, runtime.redis)
    runtimes.configure(pointed)
    yield pointed
    runtimes.configure(runtime)


def upload(runtime: Runtime, data: dict | None = None, **changes) -> int:
    """Store an upload (the example by default, with top-level section changes) and answer the invoice id."""
    data = copy.deepcopy(data or example_upload())
    for section, values in changes.items():
        data[section].update(values)
    with transaction(runtime.sessions) as session:
        return receive_upload(session, parse_upload(data)).invoice_id


def approve(runtime: Runtime, invoice_id: int) -> None:
    """Both departments approve the invoice."""
    for actor in (BUYER, ACCOUNTANT):
        with transaction(runtime.sessions) as session:
            assert apply_action(session, invoice_id, Action.APPROVE, actor).changed


def sent_invoice(runtime: Runtime, data: dict | None = None, **changes) -> int:
    """An uploaded, approved and sent invoice (in ES, its job queued) — answers its id."""
    invoice_id = upload(runtime, data, **changes)
    approve(runtime, invoice_id)
    assert request_sync(runtime, invoice_id, AP).changed
    return invoice_id


def resent_revision(runtime: Runtime, invoice_id: int, data: dict | None = None, **changes) -> None:
    """A Synchronized invoice returned to Approved, revised by the ERP, approved again and sent again."""
    with transaction(runtime.sessions) as session:
        assert apply_action(session, invoice_id, Action.RETURN_TO_APPROVED, AP).changed
    assert upload(runtime, data, **changes) == invoice_id
    approve(runtime, invoice_id)
    assert request_sync(runtime, invoice_id, AP).changed


def settle(invoice_id: int, attempts: int = 20) -> str:
    """Run the sync job as RQ would, again after each transient failure, until it settles."""
    for _ in range(attempts):
        try:
            return sync_invoice(invoice_id)
        except QboTransient:
            time.sleep(0.05)
    raise AssertionError(f"invoice {invoice_id} did not settle in {attempts} attempts")


def invoice(runtime: Runtime, invoice_id: int) -> Invoice:
    """The invoice as stored now."""
    with runtime.sessions() as session:
        found = session.get(Invoice, invoice_id)
        found.current  # noqa: B018 - loads the revision before the session closes
        return found


def environment(settings) -> dict:
    """The environment variables that give a subprocess these settings (its own worker process)."""
    import os
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("QBO_", "SLACK_", "DATABASE", "REDIS"))}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, tuple):
            value = ",".join(value)
        elif isinstance(value, Path):
            value = str(value.resolve())
        env[name.upper()] = str(value)
    env["SLACK_API_URL"] = "http://127.0.0.1:9/api/"
    return env
