"""Helpers the end-to-end tests share: polling, free ports, `make run`'s launcher and a run of it, processes left."""

import json
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import requests

from sandbox.erp import example_upload, signed_headers
from sandbox.local import LOCAL_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
PROCUREMENT, ACCOUNTING = "C0PROCURE", "C0ACCOUNT"


def wait(condition, what: str | Callable[[], str], seconds: float = 60):
    """What `condition` answers once it is truthy, polled until `seconds` pass; else an AssertionError naming `what`.

    `what` may be a function answering the text, asked only on failure (to show the state then, e.g. a run's output).
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what() if callable(what) else what}")


def free_port() -> int:
    """A port nothing listens on."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct ports nothing listens on (all bound at once, so they differ)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def port_free(port: int) -> bool:
    """Whether a server could listen on the port now."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def launcher_env(port: int, qbo_port: int | None = None, slack_port: int | None = None) -> dict:
    """The environment of `make run` on a fresh clone: nothing configured but the ports (free ones for the sandboxes
    unless given)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "QBO_", "DATABASE_URL", "REDIS_URL", "UPLOAD_", "ERP_"))
    }
    spare = iter(free_ports(3))
    env.update(
        PORT=str(port),
        PYTHONPATH=str(ROOT),
        QBO_SANDBOX_PORT=str(qbo_port or next(spare)),
        SLACK_SANDBOX_PORT=str(slack_port or next(spare)),
        # The local ERP's port too, so runs side by side (and a developer's own make run) never meet on 8013.
        ERP_SANDBOX_PORT=str(next(spare)),
    )
    return env


def interrupt(launcher: subprocess.Popen) -> None:
    """Ctrl-C the launcher, as a developer would; kill its group if it does not stop within 20 s."""
    launcher.send_signal(signal.SIGINT)
    try:
        launcher.wait(20)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)


def run_launcher(directory, env: dict, seconds: float = 60) -> subprocess.CompletedProcess:
    """Run the launcher to its end (it is expected to refuse), with its output."""
    return subprocess.run(
        [sys.executable, "-m", "sandbox.local"],
        cwd=directory,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=seconds,
    )


def processes_in(directory) -> list[str]:
    """Command lines of live processes working in `directory` or below (the embedded Redis works in instance/)."""
    found = []
    for process in psutil.process_iter(["cwd", "cmdline", "status"]):
        cwd = process.info["cwd"] or ""
        inside = cwd == str(directory) or cwd.startswith(f"{directory}/")
        if inside and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(" ".join(process.info["cmdline"] or []))
    return found


def embedded_redis_in(directory: Path) -> list[int]:
    """Pids of redis-server processes working in, or listening on a socket under, `directory`."""
    found = []
    for process in psutil.process_iter(["name", "cwd", "cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if "redis-server" in (process.info["name"] or "") + command and process.status() != psutil.STATUS_ZOMBIE:
            if str(directory) in (process.info["cwd"] or "") + command:
                found.append(process.pid)
    return found


def web_env(port: int) -> dict:
    """The environment of the Procfile's web on the zero-setup defaults (sandbox.local.LOCAL_DEFAULTS), on `port`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "QBO_", "DATABASE_URL", "REDIS_URL", "UPLOAD_"))
    }
    env.update(LOCAL_DEFAULTS, PYTHONPATH=str(ROOT), QBO_REDIRECT_URI=f"http://127.0.0.1:{port}/quickbooks/callback")
    return env


def release(directory: Path, port: int) -> None:
    """The Procfile's release (alembic upgrade head) for web in `directory` (start_web): its database migrated."""
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), "upgrade", "head"],
        cwd=directory,
        env=web_env(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=120,
    )


def start_web(directory: Path, port: int, *options: str) -> subprocess.Popen:
    """The Procfile's web (gunicorn with gunicorn.conf.py) in `directory` on 127.0.0.1:`port`, in its own process
    group, answering /healthz; `options` are more of gunicorn's (e.g. "--workers", "1"). Stop it with stop_web.
    Its database is as `directory` has it: release() first for the requests that need tables."""
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            *options,
            "webhooks.app:create_app()",
        ],
        cwd=directory,
        env=web_env(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait(lambda: healthy(port), "web up, answering /healthz with 200", 30)
    except BaseException:
        stop_web(web, directory)
        raise
    return web


def stop_web(web: subprocess.Popen, directory: Path) -> None:
    """Stop web's process group (killed after 15 s), then what works in `directory`: gunicorn alone on the zero-setup
    defaults starts an embedded Redis no launcher owns (make run's does), so the suite leaves no redis-server behind."""
    stop_group(web, 15)
    for process in psutil.process_iter(["cwd"]):
        if (process.info["cwd"] or "").startswith(str(directory)):
            process.kill()


def stop_group(process: subprocess.Popen, seconds: float) -> None:
    """SIGTERM the process group of `process` (started with start_new_session), SIGKILL it after `seconds`."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(seconds)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str | None:
    """Debian's nginx (/usr/sbin is not on every PATH), or None."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def nginx_conf(directory: Path, port: int, web_port: int) -> Path:
    """deploy/nginx.conf as shipped, but listening on 127.0.0.1:`port`, in front of web on `web_port`, as the
    current user, with its pid, logs and temporary files under `directory`: only those lines rewritten."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    for old, new in {
        "user www-data;": f"user {pwd.getpwuid(os.getuid()).pw_name};",
        "pid /run/nginx.pid;": f"pid {directory}/nginx.pid;",
        "/var/log/nginx/": f"{directory}/",
        "/var/lib/nginx/": f"{directory}/",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{web_port};",
        "listen 80;": f"listen 127.0.0.1:{port};",
    }.items():
        assert old in text, f"{NGINX_CONF.name} no longer has {old!r}: update nginx_conf"
        text = text.replace(old, new)
    path = directory / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


def start_nginx(directory: Path, port: int, web_port: int) -> subprocess.Popen:
    """nginx with deploy/nginx.conf (nginx_conf) in the foreground, its own process group, answering web's /healthz."""
    conf = nginx_conf(directory, port, web_port)
    proxy = subprocess.Popen(
        [nginx_binary() or "nginx", "-p", str(directory), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def log() -> str:
        errors = directory / "error.log"
        return f"nginx up; its error log:\n{errors.read_text() if errors.exists() else '(none)'}"

    try:
        wait(lambda: proxy.poll() is not None or healthy(port), log, 15)
        assert proxy.poll() is None, log()
    except BaseException:
        stop_group(proxy, 5)
        raise
    return proxy


def healthy(port: int) -> bool:
    """Whether web on `port` answers /healthz with 200 now."""
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def wait_healthy(port: int, seconds: float) -> None:
    """Wait until web on `port` answers /healthz with 200; an AssertionError after `seconds`."""
    wait(lambda: healthy(port), f"the launcher serving /healthz = 200 on {port}", seconds)


# `make run` as a terminal starts it: SIGHUP at its default. A suite run under nohup would hand the launcher SIGHUP
# ignored, which it keeps ignoring (as it should under nohup), and the SIGHUP test would test nothing.
AS_FROM_A_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGHUP, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, '-m', 'sandbox.local'])"
)


class LocalRun:
    """One launcher in `directory` on fixed ports, with its output."""

    def __init__(self, directory, ports):
        self.directory, (self.port, self.qbo_port, self.slack_port) = directory, ports
        self.web, self.slack = f"http://127.0.0.1:{self.port}", f"http://127.0.0.1:{self.slack_port}"
        self.qbo = f"http://127.0.0.1:{self.qbo_port}/_sandbox"
        self.process = subprocess.Popen(
            [sys.executable, "-c", AS_FROM_A_TERMINAL],
            cwd=directory,
            env=launcher_env(*ports),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=lambda: [self.lines.append(line) for line in self.process.stdout], daemon=True).start()
        wait_healthy(self.port, 90)

    def stop(self):
        interrupt(self.process)
        assert processes_in(self.directory) == []

    def upload(self, number: str) -> None:
        data = example_upload()
        data["invoice"]["number"] = number
        body = json.dumps(data).encode()
        answer = requests.post(
            f"{self.web}/webhooks/vendor-invoices",
            data=body,
            timeout=10,
            headers=signed_headers(LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"], body),
        )
        assert answer.status_code == 202, answer.text

    def messages(self, channel: str) -> list[dict]:
        return requests.get(f"{self.slack}/_sandbox/messages/{channel}", timeout=10).json()

    def button(self, channel: str, number: str, label: str) -> tuple[dict, str]:
        """The card of invoice `number` in `channel` once it has the button `label`, and that button's action_id."""

        def found():
            for message in reversed(self.messages(channel)):
                for block in message["blocks"]:
                    for element in block.get("elements", []) if block["type"] == "actions" else []:
                        if element["value"].endswith(f":{number}") and element["text"]["text"] == label:
                            return message, element["action_id"]
            return None

        return wait(found, f"a card of {number} in {channel} with {label!r}")

    def message(self, channel: str, ts: str) -> dict:
        [found] = [m for m in self.messages(channel) if m["ts"] == ts]
        return found

    def click(self, channel: str, number: str, label: str, user: str) -> str:
        """Click a card's button as `user` on the Slack sandbox's page (a confirm answered yes); the card's ts."""
        card, action_id = self.button(channel, number, label)
        answer = requests.post(
            f"{self.slack}/_sandbox/click",
            timeout=15,
            data={"user": user, "channel": channel, "ts": card["ts"], "action_id": action_id, "confirmed": "yes"},
        )
        assert answer.status_code in (200, 303), answer.text
        return card["ts"]

    def synchronize(self, number: str) -> str:
        """Approve as Procurement and Accounting, then Send; wait for Synchronized on the card; its ts."""
        self.click(PROCUREMENT, number, "Approve", "U0BUYER1")
        self.click(ACCOUNTING, number, "Approve", "U0ACCT1")
        ts = self.click(ACCOUNTING, number, "Send to External System", "U0AP1")
        wait(lambda: self.status(number) == "S", lambda: f"{number} Synchronized; output:\n{''.join(self.lines[-40:])}")
        wait(lambda: "Synchronized" in json.dumps(self.message(ACCOUNTING, ts)["blocks"]), "Synchronized on the card")
        return ts

    def status(self, number: str) -> str | None:
        with sqlite3.connect(self.directory / "instance" / "invoice-sync.db") as db:
            row = db.execute("SELECT status FROM invoices WHERE number = ?", (number,)).fetchone()
        return row[0] if row else None

    def bills(self) -> list[dict]:
        answer = requests.get(f"{self.qbo}/realms/default/bills", timeout=10).json()
        return answer["bills"] if isinstance(answer, dict) else answer
