"""Fixtures of the sandbox tier: python-quickbooks' client on the QuickBooks sandbox, a served Slack sandbox."""

import pytest

from sandbox.slack import SlackSandbox
from tests.sandbox.quickbooks_client import qb_client


@pytest.fixture(autouse=True)
def insecure_transport(monkeypatch):
    """The sandboxes speak plain HTTP on 127.0.0.1, which oauthlib refuses unless told."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def qb(sandbox):
    """python-quickbooks on the sandbox's default company."""
    return qb_client(sandbox)


@pytest.fixture(scope="module")
def served():
    """One Slack sandbox served for a test module (each test resets it through its own `sandbox` fixture)."""
    with SlackSandbox() as sandbox:
        yield sandbox
