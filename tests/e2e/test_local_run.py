"""`make run`'s launcher: up and healthy within 30 seconds, and an honest refusal when a port or the directory is taken."""

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
    """The environment of `make run` on a fresh clone: nothing configured but the ports (sandboxes' free unless given)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "QBO_", "DATABASE_URL", "REDIS_URL", "UPLOAD_"))
    }
    spare = iter(free_ports(2))
    env.update(
        PORT=str(port),
        PYTHONPATH=str(ROOT),
        QBO_SANDBOX_PORT=str(qbo_port or next(spare)),
        SLACK_SANDBOX_PORT=str(slack_port or next(spare)),
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


def test_local_launcher_serves_health_within_30_seconds_and_accepts_the_example(tmp_path):
    port = free_port()
    output = (tmp_path / "launcher.log").open("w")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "sandbox.local"],
        cwd=tmp_path,
        env=launcher_env(port),
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        started, healthy = time.monotonic(), False
        while time.monotonic() - started < 30 and not healthy:
            try:
                healthy = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                time.sleep(0.3)
        assert healthy, "the local launcher did not serve /healthz = 200 within 30 s"
        body = json.dumps(example_upload()).encode()
        answer = requests.post(
            f"http://127.0.0.1:{port}/webhooks/vendor-invoices",
            data=body,
            timeout=10,
            headers=signed_headers(LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"], body),
        )
        assert answer.status_code == 202 and answer.json()["status"] == "AP"
        assert (tmp_path / "instance" / "invoice-sync.db").exists()
    finally:
        interrupt(launcher)
        output.close()
    assert launcher.returncode is not None
    assert _processes_in(tmp_path) == [], "the launcher left processes running"
    printed = (tmp_path / "launcher.log").read_text()
    assert "QBO_REFRESH_TOKEN=(hidden)" in printed and "sbx-rt-" not in printed, "the run's output shows a token"


def _processes_in(directory) -> list[str]:
    """Command lines of live processes working in `directory` or below (the embedded Redis works in instance/)."""
    found = []
    for process in psutil.process_iter(["cwd", "cmdline", "status"]):
        cwd = process.info["cwd"] or ""
        if (cwd == str(directory) or cwd.startswith(f"{directory}/")) and process.info[
            "status"
        ] != psutil.STATUS_ZOMBIE:
            found.append(" ".join(process.info["cmdline"] or []))
    return found


def wait(condition, what: str, seconds: float = 60):
    """What `condition` answers once it is truthy, polled until `seconds` pass; else an AssertionError naming `what`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


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


def test_a_taken_port_is_named_with_how_to_choose_another_and_nothing_starts(tmp_path):
    port, qbo_port, slack_port = free_ports(3)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen(1)
        finished = run_launcher(tmp_path, launcher_env(port, qbo_port, slack_port))
    assert finished.returncode != 0
    assert f"port {port} (web) is already in use" in finished.stdout
    assert "PORT=" in finished.stdout and "make run" in finished.stdout and "Nothing was started" in finished.stdout
    assert "Connection in use" not in finished.stdout and "invoice-sync is up" not in finished.stdout
    assert port_free(qbo_port) and port_free(slack_port), "a sandbox was started although the run refused"
    assert _processes_in(tmp_path) == []


def test_a_taken_sandbox_port_is_named_with_its_variable(tmp_path):
    port, qbo_port, slack_port = free_ports(3)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", slack_port))
        taken.listen(1)
        finished = run_launcher(tmp_path, launcher_env(port, qbo_port, slack_port))
    assert finished.returncode != 0
    assert f"port {slack_port} (the Slack sandbox) is already in use" in finished.stdout
    assert "SLACK_SANDBOX_PORT=" in finished.stdout
    assert port_free(port) and port_free(qbo_port)


def test_a_second_run_in_the_same_directory_says_the_first_is_running_and_exits_non_zero(tmp_path):
    port, qbo_port, slack_port = free_ports(3)
    env = launcher_env(port, qbo_port, slack_port)
    first = subprocess.Popen(
        [sys.executable, "-m", "sandbox.local"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_healthy(port, 60)
        second = run_launcher(tmp_path, env)
        assert second.returncode != 0
        assert f"make run is already running in this directory (pid {first.pid}" in second.stdout
        assert f"http://127.0.0.1:{port}" in second.stdout
        assert "invoice-sync is up" not in second.stdout and "Connection in use" not in second.stdout
        elsewhere = tmp_path / "another-clone"
        elsewhere.mkdir()
        other = run_launcher(elsewhere, env)
        assert other.returncode != 0 and f"port {port} (web) is already in use" in other.stdout
        assert first.poll() is None and healthy(port), "the second run disturbed the first"
    finally:
        interrupt(first)
    assert _processes_in(tmp_path) == []


def healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def wait_healthy(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not healthy(port):
        assert time.monotonic() < deadline, f"the launcher did not serve /healthz on {port} within {seconds} s"
        time.sleep(0.3)


def test_the_oauth_cli_prints_a_connect_link_that_connects_quickbooks_against_the_local_run(tmp_path):
    port = free_port()
    env = launcher_env(port)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "sandbox.local"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_healthy(port, 60)
        cli = subprocess.run(
            [sys.executable, "-m", "webhooks.oauth"],
            cwd=tmp_path,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=60,
        )
        assert cli.returncode == 0, cli.stdout
        link = cli.stdout.strip().splitlines()[-1]
        assert link.startswith(f"http://127.0.0.1:{port}/quickbooks/connect?key="), cli.stdout
        assert oct((tmp_path / "instance" / "local.env").stat().st_mode & 0o777) == "0o600"
        consent = requests.get(link, allow_redirects=False, timeout=10)
        assert consent.status_code == 302, consent.text
        assert consent.headers["Location"].startswith(f"http://127.0.0.1:{env['QBO_SANDBOX_PORT']}/")
        connected = requests.get(consent.headers["Location"], timeout=20)
        assert connected.status_code == 200 and connected.json()["connected"] is True, connected.text
    finally:
        interrupt(launcher)
    assert _processes_in(tmp_path) == []
