"""Connecting a QuickBooks company from an admin's browser: /quickbooks/connect and /quickbooks/callback."""

import secrets
import sys
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, redirect, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bootstrap import token_store
from qbo.connection import authorization_url
from qbo.errors import CodeRefused
from services.ports import QboPermanent, QboTransient
from settings import INSTANCE_DIR, load_settings
from webhooks.problems import problem

STATE_SECONDS = 600
LINK_SECONDS = 3600


def _links(settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.encryption_key(), salt="quickbooks-connect")


def connect_link(settings, base_url: str) -> str:
    """A connect URL valid for an hour; only holders of SECRET_KEY can make one, so strangers cannot connect."""
    return f"{base_url.rstrip('/')}/quickbooks/connect?key={_links(settings).dumps('connect')}"


def register(app: Flask) -> None:
    """Add the OAuth connect and callback routes to the app."""
    app.add_url_rule("/quickbooks/connect", "quickbooks_connect", connect, methods=["GET"])
    app.add_url_rule("/quickbooks/callback", "quickbooks_callback", callback, methods=["GET"])


def _state_key(state: str) -> str:
    return f"qbo:oauth-state:{state}"


def connect():
    """Check the admin's signed link, then redirect to Intuit's consent page with a one-time state."""
    runtime = current_app.extensions["runtime"]
    try:
        _links(runtime.settings).loads(request.args.get("key", ""), max_age=LINK_SECONDS)
    except BadSignature:
        return problem(
            403,
            "Forbidden",
            "Connecting QuickBooks needs a fresh link from an admin: python -m webhooks.oauth https://YOUR-HOST",
        )
    state = secrets.token_urlsafe(24)
    try:
        runtime.redis.set(_state_key(state), "1", ex=STATE_SECONDS)
    except Exception:  # noqa: BLE001 - without the state the callback could not be trusted
        return problem(503, "Service Unavailable", "Redis is unreachable; try connecting again in a minute")
    try:
        url = authorization_url(runtime.settings, state)
    except Exception as error:  # noqa: BLE001 - the discovery document could not be fetched
        return problem(
            502, "Bad Gateway", f"Intuit's OpenID discovery document is unavailable ({type(error).__name__})"
        )
    return redirect(url, 302)


def callback():
    """Intuit's redirect, e.g. ?code=...&state=...&realmId=9341455000000001: check state, store tokens."""
    runtime = current_app.extensions["runtime"]
    if request.args.get("error"):
        return problem(400, "QuickBooks connection refused", f"Intuit answered: {request.args['error']}")
    state, code, realm_id = (request.args.get(k, "") for k in ("state", "code", "realmId"))
    pipe = runtime.redis.pipeline()
    pipe.get(_state_key(state))
    pipe.delete(_state_key(state))
    if not state or not pipe.execute()[0]:
        return problem(400, "Bad Request", "Unknown or expired OAuth state: start again at /quickbooks/connect")
    if not code or not realm_id:
        return problem(400, "Bad Request", "The callback lacks code or realmId")
    pinned = runtime.settings.qbo_realm_id
    if pinned and realm_id != pinned:
        return problem(
            400,
            "Bad Request",
            f"This deployment is pinned to QuickBooks company {pinned} "
            f"(QBO_REALM_ID); company {realm_id} was not connected",
        )
    try:
        token_store(runtime).connect_company(code, realm_id)
    except CodeRefused as refused:
        return problem(400, "QuickBooks connection refused", str(refused))
    except (QboPermanent, QboTransient) as error:
        return problem(502, "Bad Gateway", f"Intuit did not issue tokens: {error}")
    return jsonify({"connected": True, "realm_id": realm_id})


def main(argv: list[str]) -> None:
    """Print a connect link: python -m webhooks.oauth [https://YOUR-HOST] (default: QBO_REDIRECT_URI's host)."""
    # make run writes its effective settings to instance/local.env, so the link works against the local run;
    # .env and the environment still win.
    settings = load_settings(_env_file=(INSTANCE_DIR / "local.env", ".env"))
    redirect = urlsplit(settings.qbo_redirect_uri)
    print(connect_link(settings, argv[0] if argv else f"{redirect.scheme}://{redirect.netloc}"))


if __name__ == "__main__":
    main(sys.argv[1:])
