"""Fixtures of the integration tier beyond the shared ones: the app served to the QuickBooks sandbox's webhooks."""

import pytest

from sandbox.quickbooks import serve_in_thread
from tests.sandboxes import VERIFIER
from webhooks.app import create_app


@pytest.fixture
def hooked(qbo_runtime, sandbox):
    """The app served over HTTP and the sandbox delivering its webhooks to it."""
    base, stop = serve_in_thread(create_app(qbo_runtime))
    sandbox.control("POST", "/webhooks", url=f"{base}/webhooks/quickbooks", verifier_token=VERIFIER)
    yield sandbox
    stop()
