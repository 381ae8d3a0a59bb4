"""QuickBooks failures sorted into what the sync acts on: retry later, tell a person, or the connection is broken.

python-quickbooks loses most of an answer: a body with lowercase keys or in XML (403, 429, some 500s)
becomes code 10000 with the HTTP status only in its text, or none at all, and `element` is always dropped.
So the gateway hands over the HTTP status and body it received (qbo.connection.BearerSession), and qbo.answers
reads them into a Fault. Failures are sorted by that structure only: the HTTP status, the Fault's type and its
code, and for closed books the Error's own Message or Detail. Never by words found anywhere in the text: QBO
echoes the query and the Bill number it was sent (issue 16: a vendor named "ThrottleExceeded’s Farm" made a
parser error look like a throttle). Text is only shown to people. 5010 is both "Stale Object" and closed
books, 3100 comes with 403 and with 500 (tests/sandbox/recorded/README.md).
"""

import json

import requests
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import QuickbooksException

from qbo.answers import Fault, read
from services.ports import QboBooksClosed, QboConnectionBroken, QboPermanent, QboThrottled, QboTransient

THROTTLE_CODE = 3001
ACCESS_REFUSED_CODE = 3100
STALE_OBJECT = 5010
CLOSED_BOOKS_CODES = {6200, 6210}
# How the closed-books answers begin their own Message or Detail (fault_400_closed_books_*.json): read only at
# the start of those fields of the Error, where QBO's wording is, never inside echoed values.
CLOSED_BOOKS_OPENINGS = ("account period closed", "the account period has closed")
THROTTLE_SECONDS = 60


class QboUnauthorized(QboTransient):
    """The access token was refused (HTTP 401); a refresh may cure it, a second 401 means the connection is broken."""


class CodeRefused(QboPermanent):
    """Intuit refused the authorization code of a connect attempt; only a new attempt gets a new code."""


def classify(error: Exception, status: int | None = None, body: str | None = None) -> Exception:
    """The QboTransient, QboPermanent or QboConnectionBroken that `error` means, given the answer's status and body."""
    if isinstance(error, (QboTransient, QboPermanent)):
        return error
    if isinstance(error, (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return QboTransient(f"QuickBooks did not answer in time or dropped the connection ({type(error).__name__})")
    if isinstance(error, AuthClientError):
        return _auth_client(error)
    if isinstance(error, QuickbooksException):
        return _sorted(read(error, status, body))
    # python-quickbooks fails this way on answers it cannot read (e.g. a Fault without a code); retrying would
    # only repeat it silently, so a person sees it instead.
    return QboPermanent(
        f"QuickBooks gave an answer invoice-sync could not read ({type(error).__name__}: "
        f"{_short(str(error))}); Retry, and report it if it happens again"
    )


def still_unauthorized(failure: QboUnauthorized) -> QboConnectionBroken:
    """A 401 that survived a token refresh (e.g. code 120, the user lost access): the connection is broken."""
    return QboConnectionBroken(f"{failure} even after a token refresh", "unauthorized")


def classify_code_exchange(error: Exception) -> Exception:
    """classify() for the OAuth callback's code exchange, where invalid_grant is about the code, not a stored token."""
    if isinstance(error, AuthClientError) and _says(error, "invalid_grant"):
        return CodeRefused(
            "Intuit refused the authorization code of this connect attempt (invalid_grant: it expired, "
            "was already used, or was issued for another redirect URI); nothing was connected. Start "
            "the connection again from a fresh connect link (python -m webhooks.oauth https://YOUR-HOST)"
        )
    return classify(error)


def _auth_client(error: AuthClientError) -> Exception:
    if _says(error, "invalid_grant"):
        return QboConnectionBroken(
            "Intuit no longer accepts the stored refresh token (invalid_grant: it was revoked, "
            "expired after 100 days unused, or the app was disconnected)",
            "token",
        )
    if _says(error, "invalid_client"):
        return QboConnectionBroken("Intuit refused the app's credentials (invalid_client)", "keys")
    return QboTransient(f"The Intuit token endpoint answered HTTP {error.status_code}")


def _says(error: AuthClientError, oauth_error: str) -> bool:
    """Whether Intuit's token endpoint refused with this OAuth error code: the `error` field (RFC 6749 §5.2)."""
    if error.status_code not in (400, 401):
        return False
    try:
        answer = json.loads(error.content or b"")
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("error") == oauth_error


def _sorted(fault: Fault) -> Exception:
    """The failure a Fault means, by its HTTP status, type and code."""
    status, code, named = fault.status, fault.code, _named(fault)
    if status == 401:
        return QboUnauthorized(f"QuickBooks refused the access token (HTTP 401{named})")
    if status == 429 or (code == THROTTLE_CODE and fault.kind in ("SERVICE", None)):
        # Before the 429 rollout QBO throttled with 403 and this same SERVICE fault 3001 (fault_429_throttle_3001.xml).
        return QboThrottled(
            f"QuickBooks throttled this company (HTTP {status or 429}{named})", retry_after=THROTTLE_SECONDS
        )
    if closed_books(fault):
        said = f"{fault.message or 'Account Period Closed'}, code {code}"
        said += f": {fault.detail}" if fault.detail else ""
        return QboBooksClosed(
            f"QuickBooks refused it because the books are closed for its date ({said}): reopen "
            "the period in QuickBooks (Settings, Account and settings, Advanced, Close the books) "
            "or have the ship date corrected, then Retry",
            code,
            fault.detail,
            _element(fault),
        )
    if status == 403 or (status is None and code == ACCESS_REFUSED_CODE):
        return QboConnectionBroken(
            f"QuickBooks refused invoice-sync access to the company (HTTP 403{named})", "refused"
        )
    if code == 10000 or code == STALE_OBJECT or (status and status >= 500):
        return QboTransient(f"QuickBooks had a temporary failure: {_short(fault.message)}")
    return QboPermanent(
        f"QuickBooks refused it (code {code}): {fault.detail or fault.message}", code, fault.detail, _element(fault)
    )


def closed_books(fault: Fault) -> bool:
    """Whether a Fault refuses a closed accounting period: 6200 or 6210, or a 5010 whose own text says so."""
    if fault.code in CLOSED_BOOKS_CODES:
        return True
    own = (fault.message.strip().lower(), fault.detail.strip().lower())
    return fault.code == STALE_OBJECT and any(text.startswith(CLOSED_BOOKS_OPENINGS) for text in own)


def _named(fault: Fault) -> str:
    """ ", ApplicationAuthorizationFailed, code 3100: <detail>" from the Fault's fields, for people to read."""
    name = _short(fault.message.removeprefix("message=").split(";", 1)[0])
    parts = [part for part in (name, f"code {fault.code}" if fault.code is not None else "") if part]
    said = ", ".join(parts)
    return (f", {said}" if said else "") + (f": {_short(fault.detail)}" if fault.detail else "")


def _element(fault: Fault) -> str | None:
    """The field QBO named in the Fault's `element`, else one a 2050's Detail names (for the wording only)."""
    if fault.element:
        return fault.element
    for name in ("DocNumber", "VendorRef", "ItemRef", "ClassRef", "Amount"):
        if fault.code == 2050 and name in fault.detail:
            return name
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    if "<html" in text.lower() or "<!doctype" in text.lower():
        return "an HTML error page instead of JSON"
    return text[:200]
