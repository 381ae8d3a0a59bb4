"""Locks in Redis shared by every process, renewed by a heartbeat while their holder lives."""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis, RedisError
from redis.exceptions import LockError

from services.locks import Busy, Held

log = logging.getLogger(__name__)
# A live holder renews its lock this many times per expiry, so two missed renewals still leave it held.
RENEWALS_PER_EXPIRY = 3


class RedisLocks:
    """Locks in Redis (redis-py's Lock: SET NX PX with a token; renewed and released only by its holder)."""

    def __init__(self, redis: Redis):
        self.redis = redis

    @contextmanager
    def hold(self, name: str, seconds: float, wait: float = 0, busy: str = "") -> Iterator[Held]:
        """Hold `name` for the block, or raise Busy."""
        lock = self._lock(name, seconds)
        if not lock.acquire(blocking=wait > 0, blocking_timeout=wait or None):
            raise Busy(busy or f"{name} is held by another worker")
        held = _Renewed(lock, name, seconds)
        try:
            yield held
        finally:
            held.release()

    def try_hold(self, name: str, seconds: float) -> Held | None:
        """Take `name` now if it is free, else None."""
        lock = self._lock(name, seconds)
        return _Renewed(lock, name, seconds) if lock.acquire(blocking=False) else None

    def held(self, name: str) -> bool:
        """Whether the lock key exists."""
        return bool(self.redis.exists(name))

    def _lock(self, name: str, seconds: float):
        # Not thread-local: the heartbeat thread renews with the token the holder's thread took.
        return self.redis.lock(name, timeout=seconds, thread_local=False)


class _Renewed:
    """A held lock and the daemon thread that pushes its expiry back every third of it."""

    def __init__(self, lock, name: str, seconds: float):
        self.lock, self.name, self.lost = lock, name, False
        self._stopped = threading.Event()
        threading.Thread(
            target=self._beat, args=(seconds / RENEWALS_PER_EXPIRY,), daemon=True, name=f"heartbeat {name}"
        ).start()

    def _beat(self, interval: float) -> None:
        while not self._stopped.wait(interval):
            try:
                self.lock.reacquire()
            except LockError:
                if not self._stopped.is_set():
                    self.lost = True
                    log.warning("lock %s expired or was taken while held; its holder writes nothing more", self.name)
                return
            except RedisError as error:
                # The lock may still be ours until it expires; confirm() tells before any write.
                log.warning("could not renew lock %s (%s); trying again", self.name, type(error).__name__)

    def confirm(self) -> None:
        """Renew now (a token-checked PEXPIRE), or raise Busy: the lock was not ours without a gap."""
        # The token is random per take, so a successful renewal proves the key never expired in between:
        # an expired key is gone (or carries another holder's token) and the renewal fails.
        try:
            if not self.lost:
                self.lock.reacquire()
                return
        except LockError:
            self.lost = True
        except RedisError as error:
            raise Busy(f"cannot confirm lock {self.name}: Redis answered {type(error).__name__}") from None
        raise Busy(f"lock {self.name} expired while held; another attempt will take it again")

    def release(self) -> None:
        """Stop renewing, then give the lock back."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        _release(self.lock, self.name)


def _release(lock, name: str) -> None:
    try:
        lock.release()
    except Exception:  # noqa: BLE001 - an expired or unreachable lock frees itself by its timeout
        log.warning("lock %s expired (or Redis was unreachable) before it was released", name)
