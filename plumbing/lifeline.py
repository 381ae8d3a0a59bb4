"""Children of `make run` that end with it: `python -m plumbing.lifeline COMMAND...` runs COMMAND tied to its parent.

The wrapper asks Linux for SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG, kept across exec), then execs
COMMAND. The launcher's SIGHUP, SIGTERM or SIGINT stop the children itself; this covers the launcher being
killed outright (SIGKILL, an OOM kill): gunicorn's master, told SIGTERM, stops its workers, and the RQ worker,
finding itself orphaned (`orphaned`), stops cold, ending its job rather than waiting for it.
A wrapper and not Popen's preexec_fn: the launcher has threads, and preexec_fn is unsafe with threads.
"""

import ctypes
import os
import signal
import sys

# prctl(2): the signal the calling process gets when the thread that forked it ends.
PR_SET_PDEATHSIG = 1
# The launcher's pid, which the launcher sets for its children: a process whose parent is another is orphaned.
LAUNCHER = "INVOICE_SYNC_LAUNCHER"


def die_with_parent(sign: signal.Signals = signal.SIGTERM) -> bool:
    """Have Linux send `sign` to this process when its parent ends; False where prctl is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sign), 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def orphaned() -> bool:
    """Whether this process was started by `make run`'s launcher (LAUNCHER set) and its parent is no longer it."""
    launcher = os.environ.get(LAUNCHER)
    return bool(launcher) and str(os.getppid()) != launcher


def wrapped(command: tuple[str, ...]) -> tuple[str, ...]:
    """`command` run through this wrapper by the same Python."""
    return (sys.executable, "-m", "plumbing.lifeline", *command)


def main(argv: list[str]) -> None:
    """Tie this process to its parent, then become `argv` (exit 1 without one; exit at once if already orphaned)."""
    if not argv:
        raise SystemExit("usage: python -m plumbing.lifeline COMMAND [ARG...]")
    die_with_parent()
    # The launcher may have died between the fork and prctl, when no signal would come any more.
    if orphaned():
        raise SystemExit(1)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
