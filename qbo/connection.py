"""Building the intuitlib and python-quickbooks clients: URLs from settings, a timeout on every request."""

import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks

from settings import Settings

MINOR_VERSION = 75
API_URLS = {
    "sandbox": "https://sandbox-quickbooks.api.intuit.com/v3",
    "production": "https://quickbooks.api.intuit.com/v3",
}


class _TimedAuthClient(AuthClient):
    """intuitlib's AuthClient is a requests.Session that sends without a timeout; this one never does."""

    timeout: float = 20.0

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


class BearerSession(requests.Session):
    """The session python-quickbooks sends through: it reads `access_token`, and every request times out.

    It keeps the last answer's status and body, which python-quickbooks drops for bodies it cannot read
    (XML, lowercase keys) and for `element`, so that qbo.errors can sort the failure by them.
    """

    def __init__(self, access_token: str, timeout: float):
        super().__init__()
        self.access_token = access_token
        self.timeout = timeout
        self.last: requests.Response | None = None

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        self.last = None
        self.last = super().request(method, url, **kwargs)
        return self.last

    def answered(self) -> tuple[int | None, str | None]:
        """The last answer's HTTP status and body text ((None, None) when none arrived)."""
        if self.last is None:
            return None, None
        return self.last.status_code, self.last.text


def api_url(settings: Settings) -> str:
    """The accounting API base ending in /v3: QBO_API_URL, else the one of QBO_ENVIRONMENT."""
    if settings.qbo_api_url:
        return settings.qbo_api_url
    if settings.qbo_environment in API_URLS:
        return API_URLS[settings.qbo_environment]
    raise ValueError("QBO_API_URL is required when QBO_ENVIRONMENT is a discovery document URL")


def auth_client(settings: Settings, refresh_token: str | None = None, state: str | None = None) -> AuthClient:
    """intuitlib's OAuth client for this app (fetches the discovery document, with a timeout)."""

    class Client(_TimedAuthClient):
        timeout = settings.qbo_http_timeout

    return Client(
        settings.qbo_client_id,
        settings.qbo_client_secret.get_secret_value(),
        settings.qbo_redirect_uri,
        environment=settings.qbo_environment,
        refresh_token=refresh_token,
        state_token=state,
    )


def authorization_url(settings: Settings, state: str) -> str:
    """Intuit's consent page URL asking for the accounting scope, carrying our `state`."""
    return auth_client(settings, state=state).get_authorization_url([Scopes.ACCOUNTING], state_token=state)


def exchange_code(settings: Settings, code: str, realm_id: str) -> AuthClient:
    """Trade an authorization code for tokens; the returned client holds them."""
    client = auth_client(settings)
    client.get_bearer_token(code, realm_id=realm_id)
    return client


def quickbooks_client(settings: Settings, realm_id: str, access_token: str) -> QuickBooks:
    """A python-quickbooks client for one company and one access token (rebuilt after each refresh)."""
    client = QuickBooks(company_id=realm_id, minorversion=MINOR_VERSION, use_decimal=True)
    client.session = BearerSession(access_token, settings.qbo_http_timeout)
    client.sandbox = False
    client.api_url_v3 = api_url(settings)
    return client
