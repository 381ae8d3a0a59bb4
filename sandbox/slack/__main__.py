"""Run the Slack sandbox standalone: python -m sandbox.slack --host 127.0.0.1 --port 8002."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from flask import request
from werkzeug.serving import make_server

from ..quiet_polls import QuietPolls
from .app import create_app
from .panels import Neighbours
from .persistence import StateFile
from .state import SlackState
from .workspace import demo_workspace


def main(argv: list[str] | None = None) -> None:
    """Serve the demo workspace until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.slack", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--token", action="append", help="a bot token to accept (repeatable)")
    parser.add_argument("--trigger-ttl", type=float, default=3.0, help="seconds a trigger_id stays valid")
    parser.add_argument("--app-url", help="the app's Request URL, e.g. http://127.0.0.1:8000/slack/events")
    parser.add_argument("--signing-secret", help="the app's SLACK_SIGNING_SECRET, to sign what the page sends")
    parser.add_argument(
        "--state-file",
        type=Path,
        help="keep messages, threads, views and ephemerals in this file "
        "across restarts (make run: instance/slack-sandbox.json)",
    )
    parser.add_argument(
        "--erp-url",
        help="the app's base URL the page's ERP panel uploads to, signed with "
        "UPLOAD_WEBHOOK_SECRET (environment, .env, else make run's default)",
    )
    parser.add_argument("--quickbooks-url", help="the local QuickBooks' base URL, for the page's QuickBooks panel")
    parser.add_argument(
        "--erp-host-url", help="the local ERP's base URL (sandbox.erp_host): the ERP panel shows what it was told"
    )
    options = parser.parse_args(argv)
    if bool(options.app_url) != bool(options.signing_secret):
        parser.error("--app-url and --signing-secret go together")
    state = SlackState(demo_workspace(options.token), trigger_ttl=options.trigger_ttl)
    app = create_app(
        state,
        app_url=options.app_url,
        signing_secret=options.signing_secret,
        neighbours=Neighbours(options.erp_url, options.quickbooks_url, options.erp_host_url),
    )
    kept = StateFile(state, options.state_file) if options.state_file else None
    if kept:
        restored = kept.load()
        app.after_request(_saving(kept))
    server = make_server(options.host, options.port, app, threaded=True, request_handler=QuietPolls)
    signal.signal(signal.SIGTERM, _interrupt)
    state.base_url = f"http://{options.host}:{server.port}"
    print(f"SLACK_API_URL={state.base_url}/api/", flush=True)
    print(f"# tokens accepted: {', '.join(state.workspace.tokens)}; page at {state.base_url}/", flush=True)
    if options.app_url:
        print(f"# the page acts as Slack users towards {options.app_url}", flush=True)
    if kept:
        print(f"# workspace kept in {options.state_file} ({'restored' if restored else 'new'})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.server_close()
        if kept:
            kept.save()


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _saving(kept: StateFile):
    def save_after_change(response):
        """Write the state after every call that may change it (reads are GETs)."""
        if request.method != "GET":
            kept.save()
        return response

    return save_after_change


if __name__ == "__main__":
    main()
