"""Command line: python -m sandbox.quickbooks --host 127.0.0.1 --port 8001 [options]."""

import argparse
import signal
import time
from pathlib import Path

from flask import request
from werkzeug.serving import make_server

from . import catalog
from .app import create_app
from .oauth import issue_tokens
from .persistence import StateFile


def arguments(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.quickbooks", description="Local QuickBooks Online sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-format", choices=("legacy", "cloudevents"), default="cloudevents")
    parser.add_argument("--verifier-token", default="sandbox-verifier-token")
    parser.add_argument("--client-id", default="sandbox-client-id")
    parser.add_argument("--client-secret", default="sandbox-client-secret")
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--realm-id", default="9341455000000001")
    parser.add_argument("--no-limits", action="store_true", help="turn the per-realm rate limits off")
    parser.add_argument(
        "--state-file",
        type=Path,
        help="keep the company (vendors, items, Bills, attachments, "
        "payments) and its tokens in this file across restarts",
    )
    return parser.parse_args(argv)


def main(argv=None):
    """Start the sandbox and print what a client needs to connect to it."""
    args = arguments(argv)
    app = create_app(
        webhook_url=args.webhook_url,
        webhook_format=args.webhook_format,
        verifier_token=args.verifier_token,
        client_id=args.client_id,
        client_secret=args.client_secret,
        time_scale=args.time_scale,
        realm_id=args.realm_id,
        limits_enabled=not args.no_limits,
    )
    store = app.extensions["qbo_sandbox"].store
    kept = StateFile(store, args.state_file) if args.state_file else None
    restored = kept.load() if kept else False
    with store.lock:
        if store.realm(args.realm_id) is None:
            catalog.seed(store.add_realm(args.realm_id))
        refresh_token = _live_refresh_token(store, args.realm_id) or issue_tokens(store, args.realm_id)["refresh_token"]
    server = make_server(args.host, args.port, app, threaded=True)
    signal.signal(signal.SIGTERM, _interrupt)
    if kept:
        kept.save()
        app.after_request(_saving(kept))
    base = f"http://{args.host}:{server.server_port}"
    print(f"QBO sandbox discovery URL (QBO_ENVIRONMENT): {base}/.well-known/openid-configuration")
    print(f"QBO sandbox API base (QBO_API_URL):           {base}/v3")
    print(f"QBO_REALM_ID={args.realm_id}")
    print(f"QBO_REFRESH_TOKEN={refresh_token}")
    print(f"QBO_CLIENT_ID={args.client_id} QBO_CLIENT_SECRET={args.client_secret}")
    if kept:
        print(f"company kept in {args.state_file} ({'restored' if restored else 'new'})")
    print(f"control API: {base}/_sandbox/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.server_close()
        if kept:
            kept.save()


def _live_refresh_token(store, realm_id):
    """A restored refresh token of the company that was never rotated and has not expired, if there is one."""
    now = time.time()
    live = [
        token
        for token, record in store.refresh_tokens.items()
        if record["realm"] == realm_id and not record["rotated"] and record["expires"] > now
    ]
    return live[-1] if live else None


def _interrupt(*_):
    raise KeyboardInterrupt


def _saving(kept):
    def save_after_change(response):
        """Write the state after every request that may change it (reads are GETs)."""
        if request.method != "GET":
            kept.save()
        return response

    return save_after_change


if __name__ == "__main__":
    main()
