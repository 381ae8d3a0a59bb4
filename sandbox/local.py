"""`make run`: the whole product on one machine without accounts.

Starts the local QuickBooks, Slack and ERP sandboxes (unless QBO_ENVIRONMENT / SLACK_API_URL /
ERP_EVENTS_URL are configured) on fixed ports with their state under instance/, applies the migrations, then runs web
(gunicorn on $PORT, default 8000) and an RQ worker on the embedded defaults until Ctrl-C or SIGTERM;
web or worker is restarted when it dies. A restart continues where the last run stopped.
"""

import os
import sys
import time
from pathlib import Path

import requests

from sandbox import agreement, local_erp, orphans, preflight
from sandbox.supervisor import Launcher, Stopped, adopt_orphans

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = Path("instance")
LOCAL_ENV = "local.env"
SLACK_STATE = "slack-sandbox.json"
# prometheus_client's multiprocess directory: web's and the worker's counters add up in GET /metrics.
METRICS_DIR = "metrics"
QBO_STATE = "quickbooks-sandbox.json"
SANDBOX_PORTS = {"QBO_SANDBOX_PORT": 8011, "SLACK_SANDBOX_PORT": 8012, local_erp.PORT_VARIABLE: local_erp.DEFAULT_PORT}

DEMO_REMINDER_AFTER = "300"
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
# What `python -m webhooks.oauth` and other one-off commands need to act on this run (instance/local.env).
SHARED = (
    *LOCAL_DEFAULTS,
    "QBO_REDIRECT_URI",
    "SLACK_API_URL",
    "QBO_ENVIRONMENT",
    "QBO_API_URL",
    "QBO_REALM_ID",
    *local_erp.SHARED,
)


def main() -> None:
    """Run everything until Ctrl-C or SIGTERM; refuse plainly, starting nothing, when it cannot."""
    adopt_orphans()
    launcher = Launcher()
    launcher.handle_signals()
    port = os.environ.get("PORT", "8000")
    sandbox_ports = {name: int(launcher.configured.get(name) or default) for name, default in SANDBOX_PORTS.items()}
    started = lock = None
    try:
        for name, value in LOCAL_DEFAULTS.items():
            launcher.default(name, value)
        launcher.default("QBO_REDIRECT_URI", f"http://127.0.0.1:{port}/quickbooks/callback")
        launcher.default("PROMETHEUS_MULTIPROC_DIR", str((INSTANCE / METRICS_DIR).resolve()))
        # A day is production's wait; the demo reminds within minutes so a person can watch it happen.
        launcher.default("APPROVAL_REMINDER_AFTER", DEMO_REMINDER_AFTER)
        launcher.env[orphans.INSTANCE_MARK] = str(INSTANCE.resolve())  # how a later run knows what this one left
        runs_slack, runs_qbo = (not launcher.configured.get(name) for name in ("SLACK_API_URL", "QBO_ENVIRONMENT"))
        runs_erp = local_erp.runs_local_erp(launcher.configured)
        urls = {"web": f"http://127.0.0.1:{port}"}
        if runs_slack:
            urls["Slack page"] = f"http://127.0.0.1:{sandbox_ports['SLACK_SANDBOX_PORT']}/"
        lock = preflight.claim(INSTANCE, urls)
        ports = {"web": (int(port), "PORT")}
        if runs_qbo:
            ports["the local QuickBooks"] = (sandbox_ports["QBO_SANDBOX_PORT"], "QBO_SANDBOX_PORT")
        if runs_slack:
            ports["the Slack sandbox"] = (sandbox_ports["SLACK_SANDBOX_PORT"], "SLACK_SANDBOX_PORT")
        if runs_erp:
            ports["the local ERP"] = (sandbox_ports[local_erp.PORT_VARIABLE], local_erp.PORT_VARIABLE)
        preflight.check_ports(ports)
        os.environ.update(launcher.env)
        from settings import load_settings

        settings = load_settings()
        agreement.check(
            settings,
            INSTANCE / SLACK_STATE if runs_slack else None,
            INSTANCE / QBO_STATE if runs_qbo else None,
            INSTANCE / local_erp.STATE if runs_erp else None,
        )
        started = time.monotonic()
        slack_page = _start_sandboxes(launcher, port, sandbox_ports, runs_slack, runs_qbo, runs_erp)
        _write_local_env(launcher.env)
        os.environ.update(launcher.env)
        _start_app(launcher, load_settings(), port)
        # The local ERP serves the example's PDF, which then goes on its Bill.
        erp_files = launcher.env["ERP_EVENTS_URL"].removesuffix("/erp/events") + "/files/" if runs_erp else None
        print(
            f"\ninvoice-sync is up: http://127.0.0.1:{port}/healthz\n"
            f"  upload the example invoice: {sys.executable} -m sandbox.erp http://127.0.0.1:{port}"
            + (f" --files-url {erp_files}" if erp_files else ""),
            flush=True,
        )
        if slack_page:
            print(f"  open the Slack sandbox at {slack_page} to click through the approvals", flush=True)
        wait = launcher.env.get("APPROVAL_REMINDER_AFTER") or launcher.configured.get("APPROVAL_REMINDER_AFTER")
        print(f"  an approval waiting {wait} s gets a reminder in its thread (APPROVAL_REMINDER_AFTER)", flush=True)
        print("  state is kept under instance/: make run again continues; make reset starts over\n", flush=True)
        launcher.watch()
    except Stopped as stop:
        print(f"\n{stop} received: stopping", flush=True)
    finally:
        stopping = time.monotonic()
        launcher.stop()
        from plumbing.embedded_redis import stop_embedded

        stop_embedded()
        if started is not None:
            print(f"stopped everything in {time.monotonic() - stopping:.1f} s", flush=True)
        if lock:
            lock.close()


def _start_app(launcher: Launcher, settings, port: str) -> None:
    """Migrations, the embedded Redis (held here so it outlives restarts of web and worker), worker, web."""
    from metrics.directory import wipe
    from models.migrate import upgrade
    from plumbing.embedded_redis import embedded_socket

    if settings.redis_url is None:
        with launcher.critical():
            embedded_socket(settings.instance_dir)
    upgrade(settings.resolved_database_url())
    # Emptied once per run, before web and worker write there (a restarted one keeps adding to the same counts).
    wipe(launcher.env["PROMETHEUS_MULTIPROC_DIR"])
    python = sys.executable
    launcher.start("worker", python, "-m", "worker", restartable=True)
    launcher.start(
        "web",
        python,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "webhooks.app:create_app()",
        restartable=True,
    )
    _wait_healthy(port)


def _start_sandboxes(launcher: Launcher, port: str, ports: dict[str, int], *runs: bool):
    """Start the sandboxes nothing else was configured for (Slack, QuickBooks, ERP); the Slack page's URL if it runs."""
    (runs_slack, runs_qbo, runs_erp), python, slack_page = runs, sys.executable, None
    # The ERP first: the Slack page's ERP panel shows what the local ERP was told.
    erp = local_erp.start_erp(launcher, ports[local_erp.PORT_VARIABLE], INSTANCE, LOCAL_ENV) if runs_erp else None
    if runs_slack:
        secret = launcher.configured.get("SLACK_SIGNING_SECRET") or launcher.env["SLACK_SIGNING_SECRET"]
        # The page's panels: uploads signed in the sandbox process, the local QuickBooks' control API.
        panels = ("--erp-url", f"http://127.0.0.1:{port}")
        if runs_qbo:
            panels += ("--quickbooks-url", f"http://127.0.0.1:{ports['QBO_SANDBOX_PORT']}")
        if erp:
            panels += ("--erp-host-url", erp)
        found = launcher.start(
            "slack",
            python,
            "-m",
            "sandbox.slack",
            "--port",
            str(ports["SLACK_SANDBOX_PORT"]),
            "--token",
            launcher.env["SLACK_BOT_TOKEN"],
            "--app-url",
            f"http://127.0.0.1:{port}/slack/events",
            "--signing-secret",
            secret,
            "--state-file",
            str(INSTANCE / SLACK_STATE),
            *panels,
            announce="SLACK_API_URL",
        )
        launcher.env["SLACK_API_URL"] = found["SLACK_API_URL"]
        slack_page = found["SLACK_API_URL"].removesuffix("api/")
    if runs_qbo:
        found = launcher.start(
            "quickbooks",
            python,
            "-m",
            "sandbox.quickbooks",
            "--port",
            str(ports["QBO_SANDBOX_PORT"]),
            "--webhook-url",
            f"http://127.0.0.1:{port}/webhooks/quickbooks",
            "--verifier-token",
            launcher.env["QBO_WEBHOOK_VERIFIER_TOKEN"],
            "--client-id",
            launcher.env["QBO_CLIENT_ID"],
            "--client-secret",
            launcher.env["QBO_CLIENT_SECRET"],
            "--state-file",
            str(INSTANCE / QBO_STATE),
            announce="QBO_REFRESH_TOKEN",
        )
        launcher.env.update(
            {name: found[name] for name in ("QBO_ENVIRONMENT", "QBO_API_URL", "QBO_REALM_ID", "QBO_REFRESH_TOKEN")}
        )
    return slack_page


def _write_local_env(env: dict[str, str]) -> None:
    """instance/local.env (0600): this run's effective settings, for one-off commands such as webhooks.oauth."""
    lines = [f"{name}={env[name]}\n" for name in SHARED if env.get(name)]
    path = INSTANCE / LOCAL_ENV
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write("# Written by make run for one-off commands (python -m webhooks.oauth); rewritten at each start.\n")
        out.writelines(lines)
    path.chmod(0o600)


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
    main()
