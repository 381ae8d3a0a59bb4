"""Command line: python -m sandbox.quickbooks --host 127.0.0.1 --port 8001 [options]."""
import argparse

from werkzeug.serving import make_server

from .app import create_app
from .oauth import issue_tokens


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
    return parser.parse_args(argv)


def main(argv=None):
    """Start the sandbox and print what a client needs to connect to it."""
    args = arguments(argv)
    app = create_app(webhook_url=args.webhook_url, webhook_format=args.webhook_format,
                     verifier_token=args.verifier_token, client_id=args.client_id, client_secret=args.client_secret,
                     time_scale=args.time_scale, realm_id=args.realm_id, limits_enabled=not args.no_limits)
    store = app.extensions["qbo_sandbox"].store
    with store.lock:
        tokens = issue_tokens(store, args.realm_id)
    server = make_server(args.host, args.port, app, threaded=True)
    base = f"http://{args.host}:{server.server_port}"
    print(f"QBO sandbox discovery URL (QBO_ENVIRONMENT): {base}/.well-known/openid-configuration")
    print(f"QBO sandbox API base (QBO_API_URL):           {base}/v3")
    print(f"QBO_REALM_ID={args.realm_id}")
    print(f"QBO_REFRESH_TOKEN={tokens['refresh_token']}")
    print(f"QBO_CLIENT_ID={args.client_id} QBO_CLIENT_SECRET={args.client_secret}")
    print(f"control API: {base}/_sandbox/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


if __name__ == "__main__":
    main()
