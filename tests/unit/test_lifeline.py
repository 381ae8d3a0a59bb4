"""plumbing.lifeline: a wrapped command ends when its parent is killed, and knows it is orphaned."""

import os
import subprocess
import sys
from pathlib import Path

import psutil

from plumbing import lifeline

ROOT = Path(__file__).resolve().parents[2]
# A parent that starts `sleep` through the wrapper, prints its pid, then is killed outright.
PARENT = """
import os, signal, subprocess, sys
from plumbing import lifeline
child = subprocess.Popen(lifeline.wrapped(("sleep", "60")), env={**os.environ, lifeline.LAUNCHER: str(os.getpid())})
print(child.pid, flush=True)
sys.stdin.readline()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_wrapped_child_gets_sigterm_when_its_parent_is_killed():
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    child = psutil.Process(int(parent.stdout.readline()))
    try:
        # Exec'd: the wrapper became the command itself.
        for _ in range(50):
            if child.cmdline()[:1] == ["sleep"]:
                break
            psutil.wait_procs([child], timeout=0.1)
        assert child.cmdline() == ["sleep", "60"]
        parent.stdin.write("\n")
        parent.stdin.flush()
        parent.wait(5)
        psutil.wait_procs([child], timeout=5)
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    finally:
        if child.is_running():
            child.kill()


def test_orphaned_only_when_started_by_a_launcher_that_is_no_longer_the_parent(monkeypatch):
    monkeypatch.delenv(lifeline.LAUNCHER, raising=False)
    assert not lifeline.orphaned()
    monkeypatch.setenv(lifeline.LAUNCHER, str(os.getppid()))
    assert not lifeline.orphaned()
    monkeypatch.setenv(lifeline.LAUNCHER, "1" if os.getppid() != 1 else "2")
    assert lifeline.orphaned()


def test_the_wrapper_refuses_without_a_command():
    finished = subprocess.run([sys.executable, "-m", "plumbing.lifeline"], capture_output=True, text=True, cwd=ROOT)
    assert finished.returncode == 1 and "usage" in finished.stderr
