"""`make run` keeps the stack up when one child dies: it says which, how it ended, and restarts it."""

import os
import signal
import subprocess
import sys
import threading
import time

import psutil
import requests

from tests.e2e.test_local_run import ROOT, _processes_in, free_port


def wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"condition not met within {seconds} s")


def healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def workers_of(launcher_pid: int) -> list[int]:
    """The pids of `python -m jobs.worker` processes the launcher started."""
    return [child.pid for child in psutil.Process(launcher_pid).children()
            if "jobs.worker" in " ".join(child.cmdline())]


def test_a_killed_worker_is_announced_and_restarted_while_web_keeps_answering(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SLACK_", "QBO_", "DATABASE_URL", "REDIS_URL", "UPLOAD_"))}
    env.update(PORT=str(port), PYTHONPATH=str(ROOT))
    launcher = subprocess.Popen([sys.executable, "-m", "sandbox.local"], cwd=tmp_path, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(launcher.stdout), daemon=True).start()
    try:
        wait_for(lambda: healthy(port), seconds=40)
        [first] = wait_for(lambda: workers_of(launcher.pid), seconds=10)
        wait_for(lambda: any("[worker]" in line and "Listening on" in line for line in lines), seconds=20)
        listening = sum("[worker]" in line and "Listening on" in line for line in lines)
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: any("worker exited with signal SIGKILL; restarting it in" in line for line in lines), seconds=5)
        [second] = wait_for(lambda: [pid for pid in workers_of(launcher.pid) if pid != first], seconds=10)
        wait_for(lambda: sum("[worker]" in line and "Listening on" in line for line in lines) > listening, seconds=20)
        assert launcher.poll() is None, "the launcher stopped the stack because the worker died"
        assert healthy(port)
        assert psutil.Process(second).is_running()
    finally:
        launcher.send_signal(signal.SIGINT)
        try:
            launcher.wait(20)
        finally:
            if launcher.poll() is None:
                os.killpg(launcher.pid, signal.SIGKILL)
    assert _processes_in(tmp_path) == [], "the launcher left processes running"
