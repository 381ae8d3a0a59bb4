"""Stopping leaves nothing behind: `make run` on one SIGTERM or a double Ctrl-C, the suite, and bench.slack_ack."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests

from tests.e2e.helpers import (
    ACCOUNTING,
    PROCUREMENT,
    ROOT,
    LocalRun,
    embedded_redis_in,
    free_ports,
    healthy,
    launcher_env,
    port_free,
    processes_in,
    wait,
)

STOP_SECONDS = 5
ROUNDS = 10


def start_make_run(directory: Path, env: dict) -> tuple[subprocess.Popen, list[str]]:
    """`make run` in a directory that looks like a clone with its venv installed, leading its own process group."""
    for name in ("Makefile", ".venv"):
        if not (directory / name).exists():
            (directory / name).symlink_to(ROOT / name)
    make = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed-stamp", "run"],
        cwd=directory,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: [lines.append(line) for line in make.stdout], daemon=True).start()
    return make, lines


def signal_group(pgid: int, sign: signal.Signals) -> None:
    try:
        os.killpg(pgid, sign)
    except ProcessLookupError:
        pass


def stop_round(directory: Path, env: dict, ports: list[int], round_number: int) -> float:
    """Start `make run` and stop its group with one SIGTERM (even rounds) or a double Ctrl-C (odd ones); the seconds
    until no process of it was left and its ports were free, which must be at most STOP_SECONDS."""
    kind = "SIGTERM" if round_number % 2 == 0 else "double SIGINT"
    make, lines = start_make_run(directory, env)
    try:
        # Most rounds stop a run that is up; two stop it while it is still starting (sandboxes up, web not yet).
        if round_number in (3, 8):
            wait(
                lambda: any("[quickbooks]" in line for line in lines),
                lambda: f"round {round_number}: the QuickBooks sandbox started; output:\n{''.join(lines)}",
                60,
            )
        else:
            wait(
                lambda: healthy(ports[0]),
                lambda: f"round {round_number}: /healthz answering 200; output:\n{''.join(lines)}",
                90,
            )
        started = time.monotonic()
        if round_number % 2 == 0:
            signal_group(make.pid, signal.SIGTERM)
        else:
            signal_group(make.pid, signal.SIGINT)
            time.sleep(0.2)
            signal_group(make.pid, signal.SIGINT)
        try:
            make.wait(30)
        except subprocess.TimeoutExpired:
            running = [
                " ".join(kin.info["cmdline"] or [])[:80]
                for kin in psutil.process_iter(["cmdline", "cwd"])
                if (kin.info["cwd"] or "").startswith(str(directory))
            ]
            pytest.fail(
                f"round {round_number}: make run did not stop within 30 s; still running {running}; "
                f"its output ended:\n{''.join(lines[-60:])}"
            )
        wait(
            lambda: not processes_in(directory) and all(port_free(p) for p in ports),
            lambda: f"round {round_number} ({kind}) leaving no process, no port taken; left {processes_in(directory)}",
            30,
        )
        took = time.monotonic() - started
    finally:
        signal_group(make.pid, signal.SIGKILL)
        for leftover in psutil.process_iter(["cwd"]):
            if (leftover.info["cwd"] or "").startswith(str(directory)):
                leftover.kill()
    output = "".join(lines)
    assert took <= STOP_SECONDS, f"round {round_number} ({kind}) took {took:.1f} s"
    assert "Traceback" not in output and "Exception ignored" not in output, output
    return took


def test_one_sigterm_or_a_double_ctrl_c_to_make_runs_group_stops_everything_within_5_s_ten_times(tmp_path):
    ports = free_ports(3)
    env = launcher_env(*ports)
    stop_times = [stop_round(tmp_path, env, ports, round_number) for round_number in range(ROUNDS)]
    print(f"stop times: {', '.join(f'{t:.2f}' for t in stop_times)} s")


def test_a_test_session_on_the_embedded_backend_leaves_no_redis_server_running(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "embedded",
            "tests/integration/test_health.py",
        ],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=300,
    )
    assert " passed" in finished.stdout, finished.stdout
    assert "shutdown failed" not in finished.stdout, finished.stdout
    assert embedded_redis_in(tmp_path) == [], "the test session left its embedded redis-server running"


def test_bench_slack_ack_leaves_no_redis_server_running(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    finished = subprocess.run(
        [sys.executable, "-m", "bench.slack_ack", "--invoices", "2", "--clicks", "4", "--concurrency", "2"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=300,
    )
    assert "ack latency" in finished.stdout, finished.stdout
    assert "shutdown failed" not in finished.stdout, finished.stdout
    assert embedded_redis_in(tmp_path) == [], "bench.slack_ack left its embedded redis-server running"


def workers_in(directory: Path) -> list[psutil.Process]:
    """The `python -m worker` processes of a run in `directory` (not their RQ scheduler, a child of the same
    command line)."""
    workers = []
    for process in psutil.process_iter(["cwd", "cmdline"]):
        if (process.info["cwd"] or "").startswith(str(directory)) and "-m worker" in " ".join(
            process.info["cmdline"] or []
        ):
            try:
                if "-m worker" not in " ".join(process.parent().cmdline()):
                    workers.append(process)
            except (psutil.Error, AttributeError):
                continue
    return workers


HANGS = 1


def holds(run: LocalRun) -> int:
    """How many Bill creates the local QuickBooks has taken to hold so far (of the test's hang rule)."""
    rules = requests.get(f"{run.qbo}/faults", timeout=10).json()["faults"]
    return HANGS - sum(rule["remaining"] for rule in rules if rule.get("kind") == "hang")


def worker_in_a_hung_sync(run: LocalRun, number: str, seconds: int) -> psutil.Process:
    """Send invoice `number`, whose Bill create the local QuickBooks holds `seconds`: the worker running that sync."""
    requests.post(
        f"{run.qbo}/faults",
        json={"kind": "hang", "seconds": seconds, "method": "POST", "path": "/bill", "count": HANGS},
        timeout=10,
    ).raise_for_status()
    run.upload(number)
    run.click(PROCUREMENT, number, "Approve", "U0BUYER1")
    run.click(ACCOUNTING, number, "Approve", "U0ACCT1")
    run.click(ACCOUNTING, number, "Send to External System", "U0AP1")
    wait(lambda: holds(run) == HANGS, f"the local QuickBooks holding the Bill create of {number}")
    [worker] = wait(lambda: workers_in(run.directory), f"the worker syncing {number}")
    return worker


def test_stopping_while_a_sync_hangs_leaves_no_worker_even_one_frozen_in_its_job(tmp_path):
    run = LocalRun(tmp_path, free_ports(3))
    try:
        # Frozen in its job, it stands for a job that does not end by itself when the sandboxes and Redis go away
        # (a Slack call in its retry back-off): only the run's stop can end it.
        worker_in_a_hung_sync(run, "FE-31077", seconds=60).suspend()
    finally:
        try:
            run.stop()
        finally:
            for leftover in workers_in(tmp_path):
                leftover.kill()
