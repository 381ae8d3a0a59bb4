"""`make run`'s launcher: healthy within 30 seconds, and an honest refusal when a port or the directory is taken."""

import json
import socket
import subprocess
import sys

import requests

from sandbox.erp import example_upload, signed_headers
from sandbox.local import LOCAL_DEFAULTS
from tests.e2e.helpers import (
    free_port,
    free_ports,
    healthy,
    interrupt,
    launcher_env,
    port_free,
    processes_in,
    run_launcher,
    wait,
    wait_healthy,
)


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
        wait_healthy(port, 30)
        body = json.dumps(example_upload()).encode()
        answer = requests.post(
            f"http://127.0.0.1:{port}/webhooks/vendor-invoices",
            data=body,
            timeout=10,
            headers=signed_headers(LOCAL_DEFAULTS["UPLOAD_WEBHOOK_SECRET"], body),
        )
        assert answer.status_code == 202 and answer.json()["status"] == "AP"
        assert (tmp_path / "instance" / "invoice-sync.db").exists()
        # Web answers before the launcher has printed its banner: stopping it sooner would cut the banner short.
        wait(lambda: "state is kept under instance/" in (tmp_path / "launcher.log").read_text(), "the banner", 30)
    finally:
        interrupt(launcher)
        output.close()
    assert launcher.returncode is not None
    assert processes_in(tmp_path) == [], "the launcher left processes running"
    printed = (tmp_path / "launcher.log").read_text()
    assert "QBO_REFRESH_TOKEN=(hidden)" in printed and "sbx-rt-" not in printed, "the run's output shows a token"
    # The demo reminds within minutes, not production's day, and says so.
    assert "an approval waiting 300 s gets a reminder in its thread (APPROVAL_REMINDER_AFTER)" in printed


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
    assert processes_in(tmp_path) == []


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
    assert processes_in(tmp_path) == []


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
    assert processes_in(tmp_path) == []
