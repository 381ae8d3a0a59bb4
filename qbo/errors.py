"""QuickBooks failures sorted into what the sync acts on: retry later, tell a person, or the connection is broken.

python-quickbooks loses most of an answer: a body with lowercase keys or in XML (403, 429, some 500s)
becomes code 10000 with the HTTP status only in its text, or none at all, and `element` is always dropped.
So the gateway hands over the HTTP status and body it received (qbo.connection.BearerSession), and faults
are sorted by status and message text as well as code: 5010 is both "Stale Object" and closed books, 3100
comes with 403 and with 500 (tests/sandbox/recorded/README.md).
"""

import json
import re

import requests
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import AuthorizationException, QuickbooksException

from services.ports import QboBooksClosed, QboConnectionBroken, QboPermanent, QboThrottled, QboTransient

THROTTLE_CODES = {3001}
STALE_OBJECT = 5010
CLOSED_BOOKS_CODES = {6200, 6210}
CLOSED_BOOKS_TEXT = ("account period closed", "account period has closed")
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
    if isinstance(error, AuthorizationException) and error.error_code == 401:
        return QboUnauthorized(f"QuickBooks refused the access token (HTTP 401{_named(_text(error))})")
    if isinstance(error, QuickbooksException):
        return _fault(error, status, body)
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
    if isinstance(error, AuthClientError) and _says(error, b"invalid_grant"):
        return CodeRefused(
            "Intuit refused the authorization code of this connect attempt (invalid_grant: it expired, "
            "was already used, or was issued for another redirect URI); nothing was connected. Start "
            "the connection again from a fresh connect link (python -m webhooks.oauth https://YOUR-HOST)"
        )
    return classify(error)


def _auth_client(error: AuthClientError) -> Exception:
    if _says(error, b"invalid_grant"):
        return QboConnectionBroken(
            "Intuit no longer accepts the stored refresh token (invalid_grant: it was revoked, "
            "expired after 100 days unused, or the app was disconnected)",
            "token",
        )
    if _says(error, b"invalid_client"):
        return QboConnectionBroken("Intuit refused the app's credentials (invalid_client)", "keys")
    return QboTransient(f"The Intuit token endpoint answered HTTP {error.status_code}")


def _says(error: AuthClientError, oauth_error: bytes) -> bool:
    """Whether Intuit's token endpoint refused with this OAuth error code (RFC 6749 §5.2)."""
    return error.status_code in (400, 401) and oauth_error in (error.content or b"")


def _fault(error: QuickbooksException, status: int | None, body: str | None) -> Exception:
    code, message, detail = error.error_code, error.message or "", error.detail or ""
    text = f"{message} {detail} {body or ''}"
    if code == 10000:
        code, message, detail = _recovered(text) or (code, message, detail)
    status = status or _status_in(text)
    named = _named(text)
    if status == 429 or code in THROTTLE_CODES or "ThrottleExceeded" in text or "errorCode=003001" in text:
        return QboThrottled(
            f"QuickBooks throttled this company (HTTP {status or 429}{named})", retry_after=THROTTLE_SECONDS
        )
    if code in CLOSED_BOOKS_CODES or any(words in text.lower() for words in CLOSED_BOOKS_TEXT):
        said = f"{message or 'Account Period Closed'}, code {code}" + (f": {detail}" if detail else "")
        return QboBooksClosed(
            f"QuickBooks refused it because the books are closed for its date ({said}): reopen "
            "the period in QuickBooks (Settings, Account and settings, Advanced, Close the books) "
            "or have the ship date corrected, then Retry",
            code,
            detail,
            _element(body, detail),
        )
    if status == 403 or (status is None and ("AuthorizationFailed" in text or code == 3100)):
        return QboConnectionBroken(
            f"QuickBooks refused invoice-sync access to the company (HTTP 403{named})", "refused"
        )
    if code == 10000 or code == STALE_OBJECT or (status and status >= 500):
        return QboTransient(f"QuickBooks had a temporary failure: {_short(message)}")
    return QboPermanent(
        f"QuickBooks refused it (code {code}): {detail or message}", code, detail, _element(body, detail)
    )


def _recovered(text: str) -> tuple[int, str, str] | None:
    """The first Error's code, Message and Detail of a Fault python-quickbooks could not read (XML, lowercase keys)."""
    xml = re.search(r'<Error code="(\d+)"[^>]*>\s*<Message>([^<]*)</Message>\s*(?:<Detail>([^<]*)</Detail>)?', text)
    if xml:
        return int(xml.group(1)), xml.group(2), xml.group(3) or ""
    lower = re.search(r'"message":"([^"]*)","detail":(?:null|"([^"]*)"),"code":"(\d+)"', text)
    if lower:
        return int(lower.group(3)), lower.group(1), lower.group(2) or ""
    return None


def _status_in(text: str) -> int | None:
    """The HTTP status python-quickbooks or QBO wrote into the text ("status code '403'", "statusCode=403")."""
    found = re.search(r"status code '(\d{3})'|statusCode[=:] ?(\d{3})", text)
    return int(found.group(1) or found.group(2)) if found else None


def _named(text: str) -> str:
    """ ", ApplicationAuthorizationFailed, code 3100: <detail>" as far as the body tells it, else ""."""
    name = re.search(r"message=(\w+)", text) or re.search(r"<Message>([^<]+)</Message>", text)
    code = re.search(r"errorCode=0*(\d+)", text) or re.search(r'<Error code="(\d+)"', text)
    detail = re.search(r"<Detail>([^<]+)</Detail>", text) or re.search(r'"detail":"([^"]+)"', text)
    parts = [found.group(1).strip() for found in (name,) if found]
    parts += [f"code {code.group(1)}"] if code else []
    said = ", ".join(parts)
    return (f", {said}" if said else "") + (f": {_short(detail.group(1))}" if detail else "")


def _text(error: QuickbooksException) -> str:
    return f"{error.message or ''} {error.detail or ''}"


def _element(body: str | None, detail: str) -> str | None:
    """The field QBO named in the Fault's `element` (JSON or XML), else one the Detail names."""
    found = re.search(r'element="([^"]+)"', body or "")
    if found:
        return found.group(1)
    try:
        answer = json.loads(body or "")
        errors = (answer.get("Fault") or answer.get("fault") or {}).get("Error") or []
        if errors and errors[0].get("element"):
            return errors[0]["element"]
    except (ValueError, AttributeError, TypeError):
        pass
    for name in ("DocNumber", "VendorRef", "ItemRef", "ClassRef", "Amount"):
        if name in detail:
            return name
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    if "<html" in text.lower() or "<!doctype" in text.lower():
        return "an HTML error page instead of JSON"
    return text[:200]
