"""What `make run` checks before it starts: one run per instance/, free ports, sandboxes and database in step.

One run per instance/ includes what an earlier run left behind when its launcher was killed: it is stopped.
"""

import fcntl
import json
import os
import socket
from pathlib import Path
from typing import IO

import psutil

from sandbox import orphans

LOCK_FILE = "make-run.lock"


class Refusal(SystemExit):
    """Why the run cannot start, said plainly; exits with status 1 before any child is started."""

    def __init__(self, message: str) -> None:
        super().__init__(f"\nmake run did not start: {message}\n")


def claim(instance: Path, about: dict[str, str]) -> IO[str]:
    """Hold instance/make-run.lock for this run, or refuse if another `make run` of this directory holds it."""
    instance.mkdir(parents=True, exist_ok=True)
    handle = open(instance / LOCK_FILE, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        running = _parsed(handle.read())
        handle.close()
        where = ", ".join(f"{name} {url}" for name, url in running.get("urls", {}).items())
        raise Refusal(
            f"make run is already running in this directory (pid {running.get('pid', '?')}"
            f"{': ' + where if where else ''}). Use that one, or stop it first "
            "(Ctrl-C in its terminal, or kill -TERM of its pid)."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "urls": about}))
    handle.flush()
    _stop_left_running(instance)
    return handle


def _stop_left_running(instance: Path) -> None:
    """Stop what an earlier run of `instance` left running (the lock is ours: its launcher is gone), or refuse."""
    left = orphans.left_running(instance)
    if not left:
        return
    print(
        f"make run: an earlier run of this directory left {orphans.describe(left)} running after its launcher "
        "ended; stopping them",
        flush=True,
    )
    still = orphans.stop(left)
    if still:
        raise Refusal(
            f"{orphans.describe(still)} of an earlier run of this directory would not stop; stop them "
            "(kill -KILL of each pid) and run make run again."
        )


def _parsed(text: str) -> dict:
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def check_ports(ports: dict[str, tuple[int, str]]) -> None:
    """Refuse when a port is taken, naming it, its owner when known, and the variable that moves it.

    `ports` maps what listens there ("web") to (port, variable), e.g. {"web": (8000, "PORT")}.
    """
    taken = [(what, port, variable) for what, (port, variable) in ports.items() if not port_free(port)]
    if not taken:
        return
    used = {port for port, _ in ports.values()}
    lines = []
    for what, port, variable in taken:
        spare = next(
            candidate for candidate in range(port + 1, port + 200) if candidate not in used and port_free(candidate)
        )
        used.add(spare)
        lines.append(
            f"port {port} ({what}) is already in use{_owner(port)}; choose another with {variable}={spare} make run"
        )
    raise Refusal("; ".join(lines) + ". Nothing was started.")


def port_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:`port` now (a socket in TIME_WAIT does not count as taken)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen(1)
        except OSError:
            return False
    return True


def _owner(port: int) -> str:
    """ " by pid 123 (python -m http.server)" when the system tells who listens, else ""."""
    try:
        for connection in psutil.net_connections("tcp"):
            if connection.laddr and connection.laddr.port == port and connection.status == psutil.CONN_LISTEN:
                if connection.pid:
                    command = " ".join(psutil.Process(connection.pid).cmdline()[:4])
                    return f" by pid {connection.pid} ({command})"
    except (psutil.Error, OSError):
        pass
    return ""
