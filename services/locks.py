"""Locks shared by every process: one idiom, and contention is a retryable `Busy`, never a QuickBooks error."""

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from redis import Redis

log = logging.getLogger(__name__)


class Busy(Exception):
    """Another worker holds the lock; the job raises it so RQ tries again later."""


class Locks(Protocol):
    """Named locks with an expiry, so a killed holder frees its lock by itself."""

    def hold(self, name: str, seconds: float, wait: float = 0, busy: str = "") -> AbstractContextManager[None]:
        """Hold `name` for the block (at most `seconds`), waiting up to `wait`; else raise Busy(busy)."""

    def try_hold(self, name: str, seconds: float) -> "Held | None":
        """Take `name` now if it is free; the caller releases it."""

    def held(self, name: str) -> bool:
        """Whether someone holds `name` now."""


class Held(Protocol):
    """A lock taken with try_hold."""

    def release(self) -> None:
        """Give the lock back; an expired one is already free."""


class RedisLocks:
    """Locks in Redis (redis-py's Lock: SET NX PX with a token, released only by its holder)."""

    def __init__(self, redis: Redis):
        self.redis = redis

    @contextmanager
    def hold(self, name: str, seconds: float, wait: float = 0, busy: str = "") -> Iterator[None]:
        """Hold `name` for the block, or raise Busy."""
        lock = self.redis.lock(name, timeout=seconds, blocking=wait > 0, blocking_timeout=wait or None)
        if not lock.acquire():
            raise Busy(busy or f"{name} is held by another worker")
        try:
            yield
        finally:
            _release(lock, name)

    def try_hold(self, name: str, seconds: float) -> Held | None:
        """Take `name` now if it is free, else None."""
        lock = self.redis.lock(name, timeout=seconds)
        return _Released(lock, name) if lock.acquire(blocking=False) else None

    def held(self, name: str) -> bool:
        """Whether the lock key exists."""
        return bool(self.redis.exists(name))


class _Released:
    def __init__(self, lock, name: str):
        self.lock, self.name = lock, name

    def release(self) -> None:
        _release(self.lock, self.name)


def _release(lock, name: str) -> None:
    try:
        lock.release()
    except Exception:  # noqa: BLE001 - an expired or unreachable lock frees itself by its timeout
        log.warning("lock %s expired (or Redis was unreachable) before it was released", name)
