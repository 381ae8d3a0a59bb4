"""Fixtures of the integration tier beyond the shared ones: the app served to the QuickBooks sandbox's webhooks,
the local ERP, and the ERP's retries due at once."""

import pytest

from sandbox.quickbooks import serve_in_thread
from services.erp import delivery
from tests.sandboxes import VERIFIER, ErpHost
from webhooks.app import create_app


@pytest.fixture
def hooked(qbo_runtime, sandbox):
    """The app served over HTTP and the sandbox delivering its webhooks to it."""
    base, stop = serve_in_thread(create_app(qbo_runtime))
    sandbox.control("POST", "/webhooks", url=f"{base}/webhooks/quickbooks", verifier_token=VERIFIER)
    yield sandbox
    stop()


@pytest.fixture
def erp():
    """The local ERP (and its Komet) served on a thread for one test."""
    running = ErpHost()
    yield running
    running.stop()


@pytest.fixture
def no_waiting(monkeypatch):
    """Retries due at once, so a test need not wait the schedule's 5 s (the order and the counts are the same)."""
    monkeypatch.setattr(delivery, "SCHEDULE", (0,) * len(delivery.SCHEDULE))
