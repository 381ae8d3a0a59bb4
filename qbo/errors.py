"""QuickBooks failures sorted into the two kinds the sync acts on: retry later, or tell a person."""

import requests
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import AuthorizationException, QuickbooksException

from services.ports import QboPermanent, QboThrottled, QboTransient

THROTTLE_CODES = {3001}
RETRYABLE_CODES = {5010}


class QboUnauthorized(QboTransient):
    """The access token was refused (HTTP 401); a refresh may cure it."""


class CodeRefused(QboPermanent):
    """Intuit refused the authorization code of a connect attempt; only a new attempt gets a new code."""


def classify(error: Exception) -> Exception:
    """The QboTransient or QboPermanent that `error` (raised by requests or python-quickbooks) means."""
    if isinstance(error, (QboTransient, QboPermanent)):
        return error
    if isinstance(error, (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return QboTransient(f"QuickBooks did not answer in time or dropped the connection ({type(error).__name__})")
    if isinstance(error, AuthClientError):
        return _auth_client(error)
    if isinstance(error, AuthorizationException) and error.error_code == 401:
        return QboUnauthorized("QuickBooks refused the access token (HTTP 401)")
    if isinstance(error, QuickbooksException):
        return _fault(error)
    # python-quickbooks fails this way on answers it cannot read (e.g. a Fault without a code); retrying would
    # only repeat it silently, so a person sees it instead.
    return QboPermanent(f"QuickBooks gave an answer invoice-sync could not read ({type(error).__name__}: "
                        f"{_short(str(error))}); Retry, and report it if it happens again")


def classify_code_exchange(error: Exception) -> Exception:
    """classify() for the OAuth callback's code exchange, where invalid_grant is about the code, not a stored token."""
    if isinstance(error, AuthClientError) and _says(error, b"invalid_grant"):
        return CodeRefused("Intuit refused the authorization code of this connect attempt (invalid_grant: it expired, "
                           "was already used, or was issued for another redirect URI); nothing was connected. Start "
                           "the connection again from a fresh connect link (python -m webhooks.oauth https://YOUR-HOST)")
    return classify(error)


def _auth_client(error: AuthClientError) -> Exception:
    if _says(error, b"invalid_grant"):
        return QboPermanent("QuickBooks no longer accepts the stored refresh token: an admin must reconnect "
                            "QuickBooks at /quickbooks/connect, then Retry")
    if _says(error, b"invalid_client"):
        return QboPermanent("Intuit refused the app's credentials (invalid_client): check QBO_CLIENT_ID and "
                            "QBO_CLIENT_SECRET, restart, then Retry")
    return QboTransient(f"The Intuit token endpoint answered HTTP {error.status_code}")


def _says(error: AuthClientError, oauth_error: bytes) -> bool:
    """Whether Intuit's token endpoint refused with this OAuth error code (RFC 6749 §5.2)."""
    return error.status_code in (400, 401) and oauth_error in (error.content or b"")


def _fault(error: QuickbooksException) -> Exception:
    code, message, detail = error.error_code, error.message or "", error.detail or ""
    if code in THROTTLE_CODES or "ThrottleExceeded" in message or "statusCode=429" in message:
        return QboThrottled("QuickBooks throttled this company (HTTP 429)", retry_after=60)
    if code == 10000 or code in RETRYABLE_CODES or "statusCode=5" in message:
        return QboTransient(f"QuickBooks had a temporary failure: {_short(message)}")
    if code == 3100 or "AuthorizationFailed" in message:
        return QboPermanent("invoice-sync is not authorized for this QuickBooks company: an admin must reconnect "
                            "QuickBooks at /quickbooks/connect, then Retry", code, detail)
    return QboPermanent(f"QuickBooks refused it (code {code}): {detail or message}", code, detail,
                        _element(detail))


def _element(detail: str) -> str | None:
    for name in ("DocNumber", "VendorRef", "ItemRef", "ClassRef", "Amount"):
        if name in detail:
            return name
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    if "<html" in text.lower() or "<!doctype" in text.lower():
        return "an HTML error page instead of JSON"
    return text[:200]
