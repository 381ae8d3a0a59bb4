"""The QuickBooks and Slack sandboxes as tests run them, driven through their control APIs."""

import requests
from pydantic import SecretStr

from sandbox.erp_host import create_app as create_erp
from sandbox.erp_host.komet import TOKEN as KOMET_TOKEN
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

    def taken(self, rule) -> bool:
        """Whether the requests a scripted fault `rule` (as `fault` answered it) waits for have all arrived.

        The sandbox takes a rule as a matching request arrives, before it misbehaves: a "hang" taken is a request held.
        """
        return rule["id"] not in [waiting["id"] for waiting in self.control("GET", "/faults")["faults"]]

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


def dated(sandbox, ids, start, step, entity="Bill"):
    """Date the changes of `ids` from `start` (epoch seconds), `step` seconds apart, through the control API."""
    sandbox.control("POST", f"/realms/{sandbox.realm}/changed-at", entity=entity, ids=ids, start=start, step=step)


ERP_SECRET = "whsec_" + "bG9jYWwtZXJwLWV2ZW50cy1zZWNyZXQ="


class ErpHost:
    """The local ERP served on a thread: what it was sent, what it believes, and the answers it is told to give."""

    def __init__(self, secret: str = ERP_SECRET):
        self.app = create_erp(secret)
        self.base, self.stop = serve_in_thread(self.app)
        self.url = f"{self.base}/erp/events"

    def control(self, method, route, /, **body):
        """Call the control API; answers its JSON (None for an empty answer)."""
        response = requests.request(method, f"{self.base}/_sandbox{route}", json=body or None, timeout=10)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def events(self) -> list[dict]:
        """Every event the ERP accepted, in the order it accepted them, as {"webhook_id", "at", "body"}."""
        return self.control("GET", "/events")["events"]

    def invoices(self) -> list[dict]:
        """The ERP's copy of each invoice: the `data` of the latest event it accepted for it."""
        return self.control("GET", "/invoices")["invoices"]

    def point(self, runtime: Runtime) -> Runtime:
        """The runtime pushing its events to this ERP."""
        return with_settings(runtime, erp_events_url=self.url, erp_events_secret=SecretStr(ERP_SECRET))

    def komet_calls(self) -> list[dict]:
        """Every call the local Komet got, in order: {"body", "token_in_header", "token_in_body", "http", "answer"}."""
        return self.control("GET", "/komet")["calls"]

    def point_komet(self, runtime: Runtime, token: str = KOMET_TOKEN) -> Runtime:
        """The runtime telling the local Komet beside this ERP of Synchronized invoices, with `token`."""
        return with_settings(runtime, komet_api_url=f"{self.base}/komet/api/", komet_api_token=SecretStr(token))
