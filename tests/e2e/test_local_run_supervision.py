"""`make run` keeps the stack up when one child dies: it says which, how it ended, and restarts it."""

import os
import signal
import subprocess
import sys
import threading
import time

import psutil
import requests

from tests.e2e.test_local_run import _processes_in, free_port, interrupt, launcher_env


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
    """The pids of live `python -m jobs.worker` processes the launcher started.

    The launcher is also the subreaper of what a dead worker leaves (its scheduler, dying or a zombie until reaped,
    and a work horse): only a process the launcher started leads a session of its own.
    """
    found = []
    for child in psutil.Process(launcher_pid).children():
        try:
            if "jobs.worker" in " ".join(child.cmdline()) and os.getsid(child.pid) == child.pid:
                found.append(child.pid)
        except (psutil.Error, ProcessLookupError):
            continue
    return found


def test_a_killed_worker_is_announced_and_restarted_while_web_keeps_answering(tmp_path):
    port = free_port()
    launcher = subprocess.Popen([sys.executable, "-m", "sandbox.local"], cwd=tmp_path, env=launcher_env(port),
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: [lines.append(line) for line in launcher.stdout], daemon=True).start()

    def printed(text: str) -> int:
        return sum(text in line for line in lines)

    try:
        wait_for(lambda: healthy(port), seconds=40)
        [first] = wait_for(lambda: workers_of(launcher.pid), seconds=10)
        wait_for(lambda: printed("Listening on"), seconds=20)
        listening = printed("Listening on")
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: printed("worker exited with signal SIGKILL; restarting it in"), seconds=5)
        [second] = wait_for(lambda: [pid for pid in workers_of(launcher.pid) if pid != first], seconds=10)
        wait_for(lambda: printed("Listening on") > listening, seconds=20)
        assert launcher.poll() is None, "the launcher stopped the stack because the worker died"
        assert healthy(port)
        assert psutil.Process(second).is_running()
    finally:
        interrupt(launcher)
    assert _processes_in(tmp_path) == [], "the launcher left processes running"
