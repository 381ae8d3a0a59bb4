"""Intuit's OAuth 2.0 / OpenID endpoints as intuitlib's AuthClient calls them, with rotating refresh tokens."""

import base64
import secrets
import time
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, redirect, request

from . import catalog
from .faults import authentication_failed, authorization_failed

blueprint = Blueprint("qbo_oauth", __name__)
AUTH_CODE_SECONDS = 600


def _store():
    return current_app.extensions["qbo_sandbox"].store


def issue_tokens(store, realm_id, grant=None):
    """Mint an access token and a refresh token for a company; call with the store lock held."""
    now, settings = time.time(), store.settings
    grant = grant or secrets.token_hex(8)
    access = "sbx-at-" + secrets.token_urlsafe(24)
    refresh = "sbx-rt-" + secrets.token_urlsafe(24)
    store.access_tokens[access] = {
        "realm": realm_id,
        "grant": grant,
        "expires": now + settings.scaled(settings.access_token_seconds),
    }
    store.refresh_tokens[refresh] = {
        "realm": realm_id,
        "grant": grant,
        "rotated": None,
        "issued": now,
        "expires": now + settings.scaled(settings.refresh_token_seconds),
    }
    return {
        "token_type": "bearer",
        "access_token": access,
        "expires_in": int(settings.access_token_seconds),
        "refresh_token": refresh,
        "x_refresh_token_expires_in": int(settings.refresh_token_seconds),
    }


def refreshed(store, presented, record, now):
    """The answer to a refresh with a live refresh token: a new access token and, as Intuit rotates them, the same
    refresh token while it is younger than refresh_rotation_seconds (about 24 hours), else a new one; lock held.

    Intuit's Authorization FAQ (developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-
    authorization/faq, as quoted in airbytehq/airbyte #7296: "The refresh token of the Quickbooks API can change
    after 24 hours") and python-quickbooks #223 ("the refresh() function call might return a new refresh token
    ... we need to use that token for future requests"): a client must keep whatever it is answered. The kept
    token's 100-day expiry rolls with each use (Intuit's 2024 token-management post: "a rolling expiry date").
    """
    settings = store.settings
    if record["rotated"] or now - record.get("issued", 0) >= settings.scaled(settings.refresh_rotation_seconds):
        record["rotated"] = record["rotated"] or now
        return issue_tokens(store, record["realm"], record["grant"])
    answer = issue_tokens(store, record["realm"], record["grant"])
    del store.refresh_tokens[answer["refresh_token"]]
    record["expires"] = now + settings.scaled(settings.refresh_token_seconds)
    return {**answer, "refresh_token": presented}


def bearer_realm(store, header, realm_id):
    """Check an Authorization header for a company and raise the fault QBO would answer; lock held."""
    token = header[7:].strip() if header and header.lower().startswith("bearer ") else ""
    record = store.access_tokens.get(token)
    if record is None:
        raise authentication_failed("Token revoked or unknown" if token else "Authorization header missing")
    if record["expires"] <= time.time():
        raise authentication_failed(f"Token expired: {token[:12]}...")
    if record["realm"] != realm_id:
        raise authorization_failed(realm_id)


def expire_access_tokens(store, realm_id):
    """Make every live access token of a company expired, as if an hour had passed."""
    for record in store.access_tokens.values():
        if record["realm"] == realm_id:
            record["expires"] = 0


def _client_ok(store):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        client_id, _, secret = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except ValueError:
        return False
    return client_id == store.settings.client_id and secret == store.settings.client_secret


def _oauth_error(error, status=400):
    return jsonify({"error": error}), status


@blueprint.get("/.well-known/openid-configuration")
def discovery():
    """OpenID discovery document whose endpoints point at this server."""
    root = request.url_root.rstrip("/")
    return jsonify(
        {
            "issuer": root,
            "authorization_endpoint": root + "/oauth2/authorize",
            "token_endpoint": root + "/oauth2/v1/tokens/bearer",
            "userinfo_endpoint": root + "/v1/openid_connect/userinfo",
            "revocation_endpoint": root + "/oauth2/v1/tokens/revoke",
            "jwks_uri": root + "/oauth2/v1/keys",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "com.intuit.quickbooks.accounting"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }
    )


@blueprint.get("/oauth2/authorize")
def authorize():
    """Stand-in consent page: redirect at once with code, state and realmId (realmId may be chosen in the query)."""
    store = _store()
    if request.args.get("client_id") != store.settings.client_id or not request.args.get("redirect_uri"):
        return _oauth_error("invalid_client")
    with store.lock:
        realm_id = request.args.get("realmId") or store.settings.realm_id
        if store.realm(realm_id) is None:
            catalog.seed(store.add_realm(realm_id))
        code = "sbx-code-" + secrets.token_urlsafe(16)
        store.auth_codes[code] = {
            "realm": realm_id,
            "redirect_uri": request.args["redirect_uri"],
            "expires": time.time() + store.settings.scaled(AUTH_CODE_SECONDS),
        }
    params = {"code": code, "state": request.args.get("state", ""), "realmId": realm_id}
    return redirect(request.args["redirect_uri"] + "?" + urlencode(params), 302)


@blueprint.post("/oauth2/v1/tokens/bearer")
def token():
    """Token endpoint, form body e.g. grant_type=refresh_token&refresh_token=sbx-rt-..."""
    store = _store()
    if not _client_ok(store):
        return _oauth_error("invalid_client", 401)
    grant_type, now = request.form.get("grant_type"), time.time()
    with store.lock:
        if grant_type == "authorization_code":
            code = store.auth_codes.pop(request.form.get("code", ""), None)
            if not code or code["expires"] < now or code["redirect_uri"] != request.form.get("redirect_uri"):
                return _oauth_error("invalid_grant")
            return jsonify(issue_tokens(store, code["realm"]))
        if grant_type == "refresh_token":
            record = store.refresh_tokens.get(request.form.get("refresh_token", ""))
            grace = store.settings.scaled(store.settings.refresh_grace_seconds)
            if record is None or record["expires"] < now or (record["rotated"] and now - record["rotated"] > grace):
                return _oauth_error("invalid_grant")
            return jsonify(refreshed(store, request.form.get("refresh_token", ""), record, now))
    return _oauth_error("unsupported_grant_type")


@blueprint.post("/oauth2/v1/tokens/revoke")
def revoke():
    """Revoke a refresh or access token given as JSON {"token": "..."}, disconnecting its whole grant."""
    store = _store()
    if not _client_ok(store):
        return _oauth_error("invalid_client", 401)
    presented = (request.get_json(silent=True, force=True) or {}).get("token", "")
    with store.lock:
        record = store.refresh_tokens.get(presented) or store.access_tokens.get(presented)
        if record is None:
            return _oauth_error("invalid_request")
        for tokens in (store.refresh_tokens, store.access_tokens):
            for key in [k for k, v in tokens.items() if v["grant"] == record["grant"]]:
                del tokens[key]
    return "", 200


@blueprint.get("/v1/openid_connect/userinfo")
def userinfo():
    """OpenID user info for a valid bearer token."""
    store = _store()
    header = request.headers.get("Authorization", "")
    with store.lock:
        record = store.access_tokens.get(header[7:].strip())
        if record is None or record["expires"] <= time.time():
            return authentication_failed("Token revoked, expired or unknown").response()
        return jsonify(
            {
                "sub": "sandbox-user-" + record["realm"],
                "email": "ap@example.com",
                "emailVerified": True,
                "givenName": "Sandbox",
                "familyName": "User",
            }
        )


@blueprint.get("/oauth2/v1/keys")
def jwks():
    """JWKS; empty because the sandbox never issues id_tokens."""
    return jsonify({"keys": []})
