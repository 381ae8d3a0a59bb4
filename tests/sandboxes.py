"""The QuickBooks and Slack sandboxes as tests run them, driven through their control APIs."""

import requests
from pydantic import SecretStr

from sandbox.quickbooks import create_app, serve_in_thread
from services.runtime import Runtime
from tests.backends import with_settings

VERIFIER = "sandbox-verifier-token"
PROCUREMENT, ACCOUNTING = "C0PROCURE", "C0ACCOUNT"


class QboSandbox:
    """The QuickBooks sandbox served on a thread, with its control API at hand."""

    def __init__(self, **settings):
        settings.setdefault("limits_enabled", False)
        self.app = create_app(**settings)
        self.base, self.stop = serve_in_thread(self.app)
        self.realm = self.control("GET", "/realms")["realms"][0]

    def control(self, method, route, /, **body):
        """Call the control API and answer its JSON."""
        response = requests.request(method, f"{self.base}/_sandbox{route}", json=body or None, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()

    def bills(self):
        """Every live Bill of the default company."""
        return self.control("GET", f"/realms/{self.realm}/bills")["bills"]

    def fault(self, **spec):
        """Script a fault, e.g. fault(kind="throttle", count=2, path="/bill")."""
        return self.control("POST", "/faults", **spec)

    def forget_replies(self):
        """Make the company forget the answers it keeps per requestid (as QBO does after a while)."""
        return self.control("DELETE", f"/realms/{self.realm}/replies")

    def point(self, runtime: Runtime, **extra) -> Runtime:
        """The runtime with its settings pointed at this sandbox, with a fresh bootstrap refresh token."""
        token = self.control("POST", f"/realms/{self.realm}/tokens")["refresh_token"]
        return with_settings(
            runtime,
            **{
                "qbo_environment": f"{self.base}/.well-known/openid-configuration",
                "qbo_api_url": f"{self.base}/v3",
                "qbo_realm_id": self.realm,
                "qbo_refresh_token": SecretStr(token),
                "qbo_client_id": "sandbox-client-id",
                "qbo_client_secret": SecretStr("sandbox-client-secret"),
                "qbo_webhook_verifier_token": SecretStr(VERIFIER),
                "qbo_http_timeout": 1.5,
                "qbo_throttle_backoff": 0.05,
                **extra,
            },
        )
