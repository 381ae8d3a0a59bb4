"""`make run`: the whole product on one machine without accounts.

Starts the local QuickBooks and Slack sandboxes (unless QBO_ENVIRONMENT / SLACK_API_URL are
configured), applies the migrations, then runs web (gunicorn on $PORT, default 8000) and an RQ
worker on the embedded defaults, until interrupted; web or worker is restarted when it dies.
"""

import os
import signal
import sys
import time
from pathlib import Path

import requests

from sandbox.supervisor import Launcher

ROOT = Path(__file__).resolve().parents[1]

LOCAL_DEFAULTS = {
    "UPLOAD_WEBHOOK_SECRET": "whsec_bG9jYWwtZGV2ZWxvcG1lbnQtdXBsb2FkLXNlY3JldA==",
    "SLACK_BOT_TOKEN": "xoxb-sandbox-token",
    "SLACK_SIGNING_SECRET": "local-development-signing-secret",
    "SLACK_PROCUREMENT_CHANNEL": "C0PROCURE",
    "SLACK_ACCOUNTING_CHANNEL": "C0ACCOUNT",
    "SLACK_PROCUREMENT_APPROVERS": "U0BUYER1,U0BUYER2",
    "SLACK_ACCOUNTING_APPROVERS": "S0ACCOUNTING",
    "SLACK_AP_SENDERS": "U0AP1",
    "QBO_CLIENT_ID": "sandbox-client-id",
    "QBO_CLIENT_SECRET": "sandbox-client-secret",
    "QBO_WEBHOOK_VERIFIER_TOKEN": "sandbox-verifier-token",
}


def main() -> None:
    """Run everything until Ctrl-C."""
    port = os.environ.get("PORT", "8000")
    python = sys.executable
    launcher = Launcher()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    for name, value in LOCAL_DEFAULTS.items():
        launcher.default(name, value)
    launcher.default("QBO_REDIRECT_URI", f"http://127.0.0.1:{port}/quickbooks/callback")
    try:
        slack_page = _start_sandboxes(launcher, python, port)
        os.environ.update(launcher.env)
        from models.migrate import upgrade
        from services.redis_connection import embedded_socket
        from settings import load_settings

        settings = load_settings()
        if settings.redis_url is None:
            # The launcher holds the embedded Redis so it outlives restarts of web and worker.
            embedded_socket(settings.instance_dir)
        upgrade(settings.resolved_database_url())
        launcher.start("worker", python, "-m", "jobs.worker", restartable=True)
        launcher.start("web", python, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                       "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "webhooks.app:create_app()",
                       restartable=True)
        _wait_healthy(port)
        print(f"\ninvoice-sync is up: http://127.0.0.1:{port}/healthz\n"
              f"  upload the example invoice: {python} -m sandbox.erp http://127.0.0.1:{port}", flush=True)
        if slack_page:
            print(f"  open the Slack sandbox at {slack_page} to click through the approvals", flush=True)
        print(flush=True)
        launcher.watch()
    except KeyboardInterrupt:
        pass
    finally:
        launcher.stop()


def _start_sandboxes(launcher: Launcher, python: str, port: str) -> str | None:
    """Start the sandboxes nothing else was configured for; returns the Slack sandbox's page URL if it runs."""
    slack_page = None
    if not launcher.configured.get("SLACK_API_URL"):
        secret = launcher.configured.get("SLACK_SIGNING_SECRET") or launcher.env["SLACK_SIGNING_SECRET"]
        found = launcher.start("slack", python, "-m", "sandbox.slack", "--port", "0",
                               "--token", launcher.env["SLACK_BOT_TOKEN"],
                               "--app-url", f"http://127.0.0.1:{port}/slack/events", "--signing-secret", secret,
                               announce="SLACK_API_URL")
        launcher.env["SLACK_API_URL"] = found["SLACK_API_URL"]
        slack_page = found["SLACK_API_URL"].removesuffix("api/")
    if not launcher.configured.get("QBO_ENVIRONMENT"):
        found = launcher.start(
            "quickbooks", python, "-m", "sandbox.quickbooks", "--port", "0",
            "--webhook-url", f"http://127.0.0.1:{port}/webhooks/quickbooks",
            "--verifier-token", launcher.env["QBO_WEBHOOK_VERIFIER_TOKEN"],
            "--client-id", launcher.env["QBO_CLIENT_ID"], "--client-secret", launcher.env["QBO_CLIENT_SECRET"],
            announce="QBO_REFRESH_TOKEN",
        )
        launcher.env.update({name: found[name] for name in
                             ("QBO_ENVIRONMENT", "QBO_API_URL", "QBO_REALM_ID", "QBO_REFRESH_TOKEN")})
    return slack_page


def _wait_healthy(port: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"web did not answer /healthz on port {port} within {seconds:.0f} s")


if __name__ == "__main__":
    Path("instance").mkdir(exist_ok=True)
    main()
