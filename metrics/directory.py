"""prometheus_client's multiprocess directory (PROMETHEUS_MULTIPROC_DIR), which prometheus_client reads itself."""

import os
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_directory() -> str | None:
    """Where this host's processes keep their counters, or None: each process keeps its own."""
    return os.environ.get(VARIABLE) or None


def wipe(directory: str | Path) -> None:
    """Empty `directory` (made if missing) before a run's processes start: prometheus_client's multiprocess rule."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    # Only prometheus_client's own files: the variable may name a directory that holds something else too.
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)


if __name__ == "__main__":
    # `python -m metrics.directory`: what a host runs before starting web and worker (systemd's ExecStartPre ...).
    found = multiprocess_directory()
    if found is None:
        raise SystemExit(f"{VARIABLE} is not set: each process keeps its own counters, nothing to empty")
    wipe(found)
    print(f"emptied {found}")
