"""The lock port every process shares: one idiom, and contention is a retryable `Busy`, never a QuickBooks error."""

from contextlib import AbstractContextManager
from typing import Protocol


class Busy(Exception):
    """Another worker holds the lock (or ours was lost); the job raises it so RQ tries again later."""


class Held(Protocol):
    """A lock being held: renewed while its holder lives, so only a dead holder's lock expires."""

    def confirm(self) -> None:
        """Renew the lock now, or raise Busy if it expired (or was taken) at any moment since it was taken."""

    def release(self) -> None:
        """Stop renewing and give the lock back; an expired one is already free."""


class Locks(Protocol):
    """Named locks renewed while held, so a killed holder frees its lock by itself within `seconds`."""

    def hold(self, name: str, seconds: float, wait: float = 0, busy: str = "") -> AbstractContextManager[Held]:
        """Hold `name` for the block (free `seconds` after its holder dies), waiting up to `wait`; else Busy(busy)."""

    def try_hold(self, name: str, seconds: float) -> Held | None:
        """Take `name` now if it is free; the caller releases it."""

    def held(self, name: str) -> bool:
        """Whether someone holds `name` now."""
