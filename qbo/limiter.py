"""QuickBooks' per-company request limits, kept across every worker through Redis (the `limits` library)."""

import time

from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis import Redis, RedisError

from qbo.errors import QboThrottled, QboTransient

# Under QBO's 500/min and 10/s: requests admitted here reach Intuit with jitter, and one 429 costs a minute.
PER_MINUTE = RateLimitItemPerMinute(480, namespace="qbo")
PER_SECOND = RateLimitItemPerSecond(8, namespace="qbo")
# QBO also caps batch requests at 40/min per company, on top of (not instead of) the 500/min.
BATCH_PER_MINUTE = RateLimitItemPerMinute(38, namespace="qbo-batch")
# Reconciliation (re-reading what webhooks and CDC report) may spend at most this share of the minute, so one
# large delivery cannot starve Bill creation and what people wait for in Slack, which keep the rest.
RECONCILE_SHARE = 0.25
RECONCILE_PER_MINUTE = RateLimitItemPerMinute(int(PER_MINUTE.amount * RECONCILE_SHARE), namespace="qbo-reconcile")
SECOND_WAIT = 3.0


class RealmLimiter:
    """Admits a request for a company when both windows have room; waits briefly, else raises QboThrottled."""

    def __init__(self, redis: Redis):
        self.redis = redis
        storage = RedisStorage("redis://", connection_pool=redis.connection_pool)
        self.windows = MovingWindowRateLimiter(storage)

    def acquire(self, realm_id: str, batch: bool = False, reconcile: bool = False) -> None:
        """Take one request slot for `realm_id` (and a batch or reconciliation slot), waiting briefly for the second."""
        try:
            self._acquire(realm_id, batch, reconcile)
        except RedisError as error:
            raise QboTransient(f"Redis is unavailable for the QuickBooks rate limit ({type(error).__name__})") from None

    def _acquire(self, realm_id: str, batch: bool, reconcile: bool) -> None:
        backoff = self.redis.pttl(_backoff_key(realm_id))
        if backoff and backoff > 0:
            raise QboThrottled("QuickBooks asked us to slow down for this company", retry_after=backoff / 1000)
        deadline = time.monotonic() + SECOND_WAIT
        while True:
            if not self.windows.test(PER_MINUTE, realm_id):
                reset = self.windows.get_window_stats(PER_MINUTE, realm_id).reset_time
                raise QboThrottled(
                    "This company's 500 requests/minute are used up", retry_after=max(1.0, reset - time.time())
                )
            if batch and not self.windows.test(BATCH_PER_MINUTE, realm_id):
                reset = self.windows.get_window_stats(BATCH_PER_MINUTE, realm_id).reset_time
                raise QboThrottled(
                    "This company's 40 batch requests/minute are used up", retry_after=max(1.0, reset - time.time())
                )
            if reconcile and not self.windows.test(RECONCILE_PER_MINUTE, realm_id):
                raise self._share_spent(realm_id)
            if self.windows.hit(PER_SECOND, realm_id):
                self.windows.hit(PER_MINUTE, realm_id)
                # hit() is atomic where test() then hit() is not: workers racing for the last batch slots
                # would otherwise overshoot QBO's 40/min (the small margin does not cover 4 workers).
                if batch and not self.windows.hit(BATCH_PER_MINUTE, realm_id):
                    raise QboThrottled("This company's 40 batch requests/minute are used up", retry_after=1.0)
                if reconcile and not self.windows.hit(RECONCILE_PER_MINUTE, realm_id):
                    raise self._share_spent(realm_id)
                return
            if time.monotonic() > deadline:
                raise QboThrottled("This company's 10 requests/second stay used up", retry_after=1.0)
            time.sleep(0.02)

    def _share_spent(self, realm_id: str) -> QboThrottled:
        reset = self.windows.get_window_stats(RECONCILE_PER_MINUTE, realm_id).reset_time
        return QboThrottled(
            f"Reconciliation's share of this company's requests ({RECONCILE_PER_MINUTE.amount} a "
            "minute) is used up; the rest stays for Bills and Slack",
            retry_after=max(1.0, reset - time.time()),
        )

    def batch_room(self, realm_id: str) -> bool:
        """Whether `realm_id` has a batch request left in this minute's 40 (False when Redis cannot tell)."""
        try:
            return self.windows.test(BATCH_PER_MINUTE, realm_id)
        except RedisError:
            return False

    def back_off(self, realm_id: str, seconds: float) -> None:
        """After a 429, make every worker hold this company's requests for `seconds`."""
        if seconds > 0:
            self.redis.set(_backoff_key(realm_id), "1", px=max(1, int(seconds * 1000)))


def _backoff_key(realm_id: str) -> str:
    return f"qbo:backoff:{realm_id}"
