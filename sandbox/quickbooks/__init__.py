"""A local, wire-faithful QuickBooks Online sandbox (Accounting API v3 + Intuit OAuth 2.0 / OpenID).

The real client libraries talk to it unchanged; only base URLs differ:

    from intuitlib.client import AuthClient
    from quickbooks import QuickBooks

    auth = AuthClient(client_id, client_secret, redirect_uri,
                      environment=f"{base}/.well-known/openid-configuration")
    qb = QuickBooks(auth_client=auth, refresh_token=refresh_token, company_id=realm_id,
                    minorversion=75, use_decimal=True)
    qb.api_url_v3 = f"{base}/v3"

intuitlib treats any `environment` other than sandbox/production as the URL of the discovery
document and takes every OAuth endpoint from it. python-quickbooks builds every URL from the
`api_url` property, which returns the `api_url_v3` attribute (or `sandbox_api_url_v3` when the
AuthClient's environment is the string "sandbox", never the case here); setting `api_url_v3` on
the instance shadows the class constant. Note that constructing QuickBooks with an AuthClient
that has no access token performs a refresh at once, which rotates the refresh token: read the
new one from `auth.refresh_token` (and `qb.refresh_token`).

Programmatic use: `create_app(**settings)` (see store.Settings) and
`server.serve_in_thread(app) -> (base_url, stop)`. Command line: `python -m sandbox.quickbooks`.
"""

from .app import create_app
from .server import serve_in_thread

__all__ = ["create_app", "serve_in_thread"]
