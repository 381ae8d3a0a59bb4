"""Command line: python -m sandbox.erp_host --port 8013 [--state-file instance/erp-sandbox.json].

The secret that verifies the events is ERP_EVENTS_SECRET from the environment (`make run` hands it over
there, so it never shows in a process list or in the run's output); --secret is for a one-off by hand.
"""

import argparse
import os
import signal
from pathlib import Path

from flask import request
from werkzeug.serving import make_server

from ..quiet_polls import QuietPolls
from .app import create_app
from .persistence import StateFile

DEFAULT_PORT = 8013


def arguments(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.erp_host", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--secret", help="ERP_EVENTS_SECRET (default: the environment's)")
    parser.add_argument(
        "--state-file", type=Path, help="keep the ERP's copy of each invoice in this file across restarts"
    )
    return parser.parse_args(argv)


def main(argv=None):
    """Serve the local ERP until interrupted, announcing the ERP_EVENTS_URL to push to."""
    args = arguments(argv)
    secret = args.secret or os.environ.get("ERP_EVENTS_SECRET") or None
    app = create_app(secret)
    kept = StateFile(app.extensions["erp"], args.state_file) if args.state_file else None
    restored = kept.load() if kept else False
    if kept:
        app.after_request(_saving(kept))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietPolls)
    signal.signal(signal.SIGTERM, _interrupt)
    base = f"http://{args.host}:{server.server_port}"
    print(f"ERP_EVENTS_URL={base}/erp/events", flush=True)
    if secret is None:
        print("# no ERP_EVENTS_SECRET: every event is refused until POST /_sandbox/secret sets one", flush=True)
    if kept:
        print(f"# the ERP's copy kept in {args.state_file} ({'restored' if restored else 'new'})", flush=True)
    print(f"# what the ERP was told: {base}/_sandbox/invoices; its down switch: {base}/_sandbox/down", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.server_close()
        if kept:
            kept.save()


def _saving(kept: StateFile):
    def save_after_event(response):
        """Write the copy after each event taken (only a 2xx to POST /erp/events changes it)."""
        if request.method == "POST" and request.path == "/erp/events" and response.status_code < 300:
            kept.save()
        return response

    return save_after_event


def _interrupt(*_):
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
