"""Cross-site requests refused by the local sandboxes, so a web page the demo user opens cannot click as anyone.

The sandboxes have no login: whoever reaches their port acts. A browser, though, names the page behind every POST,
PUT, PATCH and DELETE it sends, fetch and HTML forms alike, in `Origin` (the Fetch standard's "append a request
`Origin` header"; RFC 6454 §7). So a state-changing request whose Origin is not the sandbox's own comes from another
site's page and is refused 403, and so is `Origin: null` (a sandboxed frame, a file:// page).

A request without Origin is allowed: no browser sends a POST without one, and the clients that do are the tests'
and `make run`'s own (`requests`, slack_sdk, python-quickbooks, curl), which a page cannot drive. A browser's
`Sec-Fetch-Site: cross-site` or `same-site` is refused even so. A page's own request must also have reached the
sandbox by an IP address or localhost: a page on a DNS name the attacker rebinds to 127.0.0.1 (DNS rebinding)
would otherwise be same-origin with itself.
"""

import ipaddress
import logging
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request

log = logging.getLogger(__name__)
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def refuse_cross_site(app: Flask) -> None:
    """Answer 403 to every state-changing request another site's page could have sent to `app`."""

    def guard() -> Response | None:
        if request.method not in UNSAFE:
            return None
        why = cross_site(request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"), request.host)
        if why is None:
            return None
        log.warning("refused a cross-site %s %s: %s", request.method, request.path, why)
        answer = jsonify(error="cross_site_request", detail=why)
        answer.status_code = 403
        return answer

    app.before_request(guard)


def cross_site(origin: str | None, fetch_site: str | None, host: str) -> str | None:
    """Why a request with these headers may have come from another site's page; None when it cannot have."""
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return f"the browser says the request comes from a {fetch_site} page"
    if origin is None:
        return None
    if origin == "null" or _origin_host(origin) != host.lower():
        return f"the page at {origin[:100]!r} is not this sandbox's own"
    if not _local(host):
        return f"the page reached the sandbox as {host[:100]!r}, not by an IP address or localhost"
    return None


def _origin_host(origin: str) -> str | None:
    try:
        parts = urlsplit(origin)
        return parts.netloc.lower() if parts.scheme in ("http", "https") else None
    except ValueError:
        return None


def _local(host: str) -> bool:
    try:
        name = (urlsplit(f"//{host}").hostname or "").rstrip(".")
    except ValueError:  # e.g. an unclosed '[::1'
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
