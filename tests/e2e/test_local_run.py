"""`make run`'s launcher: sandboxes, migrations, web and worker up and healthy within 30 seconds."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from sandbox.erp import example_upload, signed_headers
from sandbox.local import LOCAL_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launcher_env(port: int) -> dict:
    """The environment of `make run` on a fresh clone: nothing configured but the port."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SLACK_", "QBO_", "DATABASE_URL", "REDIS_URL", "UPLOAD_"))}
    env.update(PORT=str(port), PYTHONPATH=str(ROOT))
    return env


def interrupt(launcher: subprocess.Popen) -> None:
    """Ctrl-C the launcher, as a developer would; kill its group if it does not stop within 20 s."""
    launcher.send_signal(signal.SIGINT)
    try:
        launcher.wait(20)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)


def test_local_launcher_serves_health_within_30_seconds_and_accepts_the_example(tmp_path):
    port = free_port()
    launcher = subprocess.Popen([sys.executable, "-m", "sandbox.local"], cwd=tmp_path, env=launcher_env(port),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        started, healthy = time.monotonic(), False
        while time.monotonic() - started < 30 and not healthy:
            try:
                healthy = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                time.sleep(0.3)
        assert healthy, "the local launcher did not serve /healthz = 200 within 30 s"
        body = json.dumps(example_upload()).encode()
        answer = requests.post(f"http://127.0.0.1:{port}/webhooks/vendor-invoices", data=body, timeout=10,
                               headers=signed_headers(LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"], body))
        assert answer.status_code == 202 and answer.json()["status"] == "AP"
        assert (tmp_path / "instance" / "invoice-sync.db").exists()
    finally:
        interrupt(launcher)
    assert launcher.returncode is not None
    assert _processes_in(tmp_path) == [], "the launcher left processes running"


def _processes_in(directory) -> list[str]:
    """Command lines of live processes whose working directory is `directory`."""
    found = []
    for process in psutil.process_iter(["cwd", "cmdline", "status"]):
        if process.info["cwd"] == str(directory) and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(" ".join(process.info["cmdline"] or []))
    return found
