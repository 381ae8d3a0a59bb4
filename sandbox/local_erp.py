"""`make run`'s local ERP: the secrets it shares with the app, kept across runs, and its process.

ERP_EVENTS_SECRET (and ERP_API_TOKEN) are generated once and read back from instance/local.env on the
next start, so events signed before a restart still verify after it. The local ERP gets the secret in its
environment, never on its command line, and the run's output hides it (supervisor._hidden).
"""

import base64
import secrets
import sys
from pathlib import Path

from dotenv import dotenv_values

STATE = "erp-sandbox.json"
PORT_VARIABLE, DEFAULT_PORT = "ERP_SANDBOX_PORT", 8013
SHARED = ("ERP_EVENTS_URL", "ERP_EVENTS_SECRET", "ERP_API_TOKEN")


def runs_local_erp(configured: dict) -> bool:
    """Whether to start the local ERP: only when no ERP_EVENTS_URL points elsewhere."""
    return not configured.get("ERP_EVENTS_URL")


def new_events_secret() -> str:
    """A Standard Webhooks secret: whsec_ and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def kept_or_new(launcher, instance: Path, local_env: str) -> None:
    """Give the app ERP_EVENTS_SECRET and ERP_API_TOKEN unless configured: the last run's, else new ones."""
    kept = dotenv_values(instance / local_env) if (instance / local_env).exists() else {}
    launcher.default("ERP_EVENTS_SECRET", kept.get("ERP_EVENTS_SECRET") or new_events_secret())
    launcher.default("ERP_API_TOKEN", kept.get("ERP_API_TOKEN") or secrets.token_urlsafe(32))


def start_erp(launcher, port: int, instance: Path, local_env: str) -> str:
    """Start the local ERP on `port` and point the app's events at it; returns its base URL."""
    kept_or_new(launcher, instance, local_env)
    # Configured in .env only, the secret is not in the children's environment yet; the local ERP needs it there.
    launcher.env["ERP_EVENTS_SECRET"] = (
        launcher.configured.get("ERP_EVENTS_SECRET") or launcher.env["ERP_EVENTS_SECRET"]
    )
    found = launcher.start(
        "erp",
        sys.executable,
        "-m",
        "sandbox.erp_host",
        "--port",
        str(port),
        "--state-file",
        str(instance / STATE),
        announce="ERP_EVENTS_URL",
    )
    launcher.env["ERP_EVENTS_URL"] = found["ERP_EVENTS_URL"]
    base = found["ERP_EVENTS_URL"].removesuffix("/erp/events")
    # The example uploads' PDFs are served here (GET /files/<number>.pdf), on 127.0.0.1, which the app fetches
    # from only when a prefix names it: this one, unless ATTACHMENT_ALLOWED_URLS is configured.
    launcher.default("ATTACHMENT_ALLOWED_URLS", f"{base}/files/")
    return base
