"""`make run` keeps the stack up when one child dies: it says which, how it ended, and restarts it."""

import os
import signal
import subprocess
import sys
import threading

import psutil

from tests.e2e.helpers import free_port, healthy, interrupt, launcher_env, processes_in, wait


def workers_of(launcher_pid: int) -> list[int]:
    """The pids of live `python -m worker` processes the launcher started.

    The launcher is also the subreaper of what a dead worker leaves (its scheduler, dying or a zombie until
    reaped): only a process the launcher started leads a session of its own.
    """
    found = []
    for child in psutil.Process(launcher_pid).children():
        try:
            if "-m worker" in " ".join(child.cmdline()) and os.getsid(child.pid) == child.pid:
                found.append(child.pid)
        except (psutil.Error, ProcessLookupError):
            continue
    return found


def test_a_killed_worker_is_announced_and_restarted_while_web_keeps_answering(tmp_path):
    port = free_port()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "sandbox.local"],
        cwd=tmp_path,
        env=launcher_env(port),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: [lines.append(line) for line in launcher.stdout], daemon=True).start()

    def printed(text: str) -> int:
        return sum(text in line for line in lines)

    try:
        wait(lambda: healthy(port), "/healthz answering 200", 40)
        [first] = wait(lambda: workers_of(launcher.pid), "the worker started", 10)
        wait(lambda: printed("Listening on"), "the worker listening", 20)
        listening = printed("Listening on")
        os.kill(first, signal.SIGKILL)
        wait(lambda: printed("worker exited with signal SIGKILL; restarting it in"), "the killed worker announced", 5)
        [second] = wait(lambda: [pid for pid in workers_of(launcher.pid) if pid != first], "a new worker started", 10)
        wait(lambda: printed("Listening on") > listening, "the new worker listening", 20)
        assert launcher.poll() is None, "the launcher stopped the stack because the worker died"
        assert healthy(port)
        assert psutil.Process(second).is_running()
    finally:
        interrupt(launcher)
    assert processes_in(tmp_path) == [], "the launcher left processes running"
