"""The production shape for benchmarks: gunicorn web and `python -m worker` processes on one temporary instance.

Used by bench/send_latency.py and bench/backlog.py. The QuickBooks and Slack sandboxes run in the bench's own
process (threads), the web app under the Procfile's gunicorn config, the workers as the Procfile runs them;
all share the instance's SQLite database and embedded Redis, configured through the environment as in production.
"""

import copy
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import requests

from bench import web
from bench.slack_ack import SECRET, TOKEN
from bootstrap import app_runtime
from invoices.rules import Actor, Role
from invoices.statuses import Action
from models.migrate import upgrade
from plumbing.embedded_redis import stop_embedded
from plumbing.lifeline import wrapped
from sandbox.erp import example_upload
from sandbox.quickbooks import create_app as create_qbo
from sandbox.quickbooks import serve_in_thread
from sandbox.slack import SlackSandbox, demo_workspace
from services.changes.approvals import take_action
from services.intake.payload import parse_upload
from services.intake.uploads import receive_upload
from settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
LOGS = Path(tempfile.gettempdir()) / f"invoice-sync-bench-{os.getpid()}"
PROCUREMENT, ACCOUNTING = "C0PROCURE", "C0ACCOUNT"
APPROVERS = [
    (Actor("U0BUYER1", frozenset({Role.PROCUREMENT_APPROVER})), Action.APPROVE),
    (Actor("U0ACCT1", frozenset({Role.ACCOUNTING_APPROVER})), Action.APPROVE),
]
SENDER = Actor("U0AP1", frozenset({Role.AP_SENDER}))


def environment(instance: Path, slack_api: str, qbo_base: str, realm: str) -> dict[str, str]:
    """The variables every process of the run reads (docs/interfaces.md), pointing at the sandboxes."""
    token = requests.post(f"{qbo_base}/_sandbox/realms/{realm}/tokens", timeout=10).json()["refresh_token"]
    return {
        "INSTANCE_DIR": str(instance),
        "UPLOAD_WEBHOOK_SECRET": "whsec_" + "YmVuY2gtdXBsb2FkLXNlY3JldC1mb3Itc2xhY2stYWNr",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_api,
        "SLACK_PROCUREMENT_CHANNEL": PROCUREMENT,
        "SLACK_ACCOUNTING_CHANNEL": ACCOUNTING,
        "SLACK_PROCUREMENT_APPROVERS": "U0BUYER1,U0BUYER2",
        "SLACK_ACCOUNTING_APPROVERS": "U0ACCT1",
        "SLACK_AP_SENDERS": "U0AP1",
        "QBO_CLIENT_ID": "sandbox-client-id",
        "QBO_CLIENT_SECRET": "sandbox-client-secret",
        "QBO_REDIRECT_URI": "http://127.0.0.1/quickbooks/callback",
        "QBO_ENVIRONMENT": f"{qbo_base}/.well-known/openid-configuration",
        "QBO_API_URL": f"{qbo_base}/v3",
        "QBO_REALM_ID": realm,
        "QBO_REFRESH_TOKEN": token,
    }


class Stack:
    """The sandboxes, the environment and the bench's own runtime; start web and workers with its methods."""

    def __init__(self, directory: Path, qbo_config: dict, slack_limits: bool, servers: dict[str, str] | None = None):
        self.directory = directory
        LOGS.mkdir(exist_ok=True)
        print(f"logs of the web and worker processes: {LOGS}", file=sys.stderr)
        self.qbo = create_qbo(**qbo_config)
        self.qbo_base, self._stop_qbo = serve_in_thread(self.qbo)
        self.realm = requests.get(f"{self.qbo_base}/_sandbox/realms", timeout=10).json()["realms"][0]
        self.slack = SlackSandbox(demo_workspace(tokens=[TOKEN])).__enter__()
        self.slack.state.rate_limits.configure(slack_limits)
        self.env = environment(directory / "instance", self.slack.api_url, self.qbo_base, self.realm)
        # The workers pace their Slack calls at Slack's real rates when the sandbox keeps Slack's limits, and
        # (practically) not at all when its limits are off, as the tests do.
        self.env["SLACK_PACE_SCALE"] = "1" if slack_limits else "1000"
        # DATABASE_URL and REDIS_URL of PostgreSQL and Redis servers, instead of the instance's embedded defaults.
        self.env.update({key.upper(): value for key, value in (servers or {}).items() if value})
        if "DATABASE_URL" in self.env:
            # Outside the embedded development defaults the app asks for the key it encrypts tokens with.
            self.env["SECRET_KEY"] = "bench-secret-key-" + "0" * 32
        settings = load_settings(
            _env_file=None,
            **{k.lower(): v for k, v in self.env.items() if k != "INSTANCE_DIR"},
            instance_dir=directory / "instance",
        )
        upgrade(settings.resolved_database_url())
        self.runtime = app_runtime(settings)
        self.processes: list[subprocess.Popen] = []
        # A free port of its own: two benches (or a bench and the suite's short chaos run) may run side by side.
        self.port = web.free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def _spawn(self, args: list[str], **overrides: str) -> subprocess.Popen:
        env = {**os.environ, **self.env, **overrides, "PYTHONPATH": str(ROOT)}
        # The temporary directory as working directory: no project .env is read, as in a clean deployment.
        # Their INFO lines go to a file that outlives the run (its path is printed), not over the figures.
        log = open(LOGS / f"{args[1]}-{len(self.processes)}.log", "ab")  # noqa: SIM115 - closed with the process
        # A bench stopped without its cleanup (killed, or a test timing out) takes its web and workers with it.
        command = list(wrapped((sys.executable, *args)))
        process = subprocess.Popen(command, env=env, cwd=self.directory, stdout=log, stderr=log)
        self.processes.append(process)
        return process

    def start_web(self, workers: int = 2) -> None:
        """gunicorn with the Procfile's config on this stack's port; returns once it answers."""
        process = self._spawn(web.gunicorn_args(self.port, web.APP, "--workers", str(workers)))
        web.wait_until_answering(self.port, process)

    def start_workers(self, count: int, **overrides: str) -> list[subprocess.Popen]:
        """`count` workers as the Procfile runs them (`python -m worker`), with `overrides` of the environment."""
        return [self.start_worker(**overrides) for _ in range(count)]

    def start_worker(self, **overrides: str) -> subprocess.Popen:
        """One worker as the Procfile runs it; its process, e.g. for a chaos run to kill."""
        return self._spawn(["-m", "worker"], **overrides)

    def stop(self, processes: list[subprocess.Popen]) -> None:
        """Stop some of this stack's processes (a warm stop: each finishes its job) and wait for them."""
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)

    def close(self) -> None:
        """Stop the processes this stack started, then the sandboxes."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.runtime.engine.dispose()
        self.slack.stop()
        self._stop_qbo()
        stop_embedded()


@contextmanager
def stack(qbo_config: dict, slack_limits: bool = False, servers: dict[str, str] | None = None):
    """A Stack on a fresh temporary instance (or on `servers`: database_url, redis_url), closed on the way out."""
    with tempfile.TemporaryDirectory() as directory:
        built = Stack(Path(directory), qbo_config, slack_limits, servers)
        try:
            yield built
        finally:
            built.close()


def approved_invoices(runtime, count: int, prefix: str) -> list[int]:
    """`count` distinct example invoices received and approved twice (AA), through the services, not HTTP."""
    ids = []
    for n in range(count):
        data = copy.deepcopy(example_upload())
        data["invoice"]["number"] = f"{prefix}{n:05d}"
        invoice_id = receive_upload(runtime, parse_upload(data)).invoice_id
        for actor, action in APPROVERS:
            take_action(runtime, invoice_id, action, actor)
        ids.append(invoice_id)
    return ids


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
