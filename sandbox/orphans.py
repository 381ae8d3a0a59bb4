"""What an earlier `make run` of this instance/ left running after its launcher died: found, named and stopped.

A launcher killed outright (SIGKILL) before the children were tied to it (plumbing.lifeline) left web, worker,
the sandboxes and Redis running on the same data and ports. The next run, holding instance/make-run.lock (so
no launcher of this directory is alive), stops them before it checks its ports. They are known by what the
launcher put in their environment: INVOICE_SYNC_INSTANCE, or (older runs) PROMETHEUS_MULTIPROC_DIR under it.
"""

import os
from pathlib import Path

import psutil

# Set by the launcher for every child (and inherited by what they start, the embedded Redis included).
INSTANCE_MARK = "INVOICE_SYNC_INSTANCE"
# SIGTERM first (gunicorn, RQ and the sandboxes stop at once), SIGKILL to what is left after this.
GRACE_SECONDS = 3.0


def left_running(instance: Path) -> list[psutil.Process]:
    """The live processes an earlier run of `instance` started (never this process nor its ancestors, e.g. make)."""
    instance = instance.resolve()
    marks = {(INSTANCE_MARK, str(instance)), ("PROMETHEUS_MULTIPROC_DIR", str(instance / "metrics"))}
    ours = {os.getpid(), *(parent.pid for parent in psutil.Process().parents())}
    found = []
    for process in psutil.process_iter():
        if process.pid in ours:
            continue
        try:
            environment = process.environ()
            if process.status() != psutil.STATUS_ZOMBIE and any(environment.get(k) == v for k, v in marks):
                found.append(process)
        except psutil.Error:  # gone meanwhile, or another user's
            continue
    return found


def describe(processes: list[psutil.Process]) -> str:
    """ "pid 12 (python -m worker), pid 13 (redis-server ...)" for a message."""
    named = []
    for process in processes:
        try:
            command = " ".join(process.cmdline()[:4])[:80]
        except psutil.Error:
            command = "?"
        named.append(f"pid {process.pid} ({command})")
    return ", ".join(named)


def stop(processes: list[psutil.Process]) -> list[psutil.Process]:
    """SIGTERM them, SIGKILL whatever is left after GRACE_SECONDS; the ones still alive (another user's)."""
    for process in processes:
        _send(process.terminate)
    _, alive = psutil.wait_procs(processes, timeout=GRACE_SECONDS)
    for process in alive:
        _send(process.kill)
    _, alive = psutil.wait_procs(alive, timeout=2)
    return [process for process in alive if _alive(process)]


def _alive(process: psutil.Process) -> bool:
    # A zombie has ended; only its parent (init, for an orphan) can reap it.
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _send(action) -> None:
    try:
        action()
    except psutil.Error:
        pass
