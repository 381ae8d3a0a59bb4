"""RQ's scheduler (delayed jobs, retries, the sweep chain), made to wait out a Redis outage instead of exiting."""

import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.scheduler import RQScheduler

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
BACKOFF_CAP_SECONDS = 5


def backoff(delay: float) -> float:
    """The next wait for Redis after `delay`: 1, 2, 4, then every 5 s."""
    return min(max(1.0, 2 * delay), BACKOFF_CAP_SECONDS)


class SteadyScheduler(RQScheduler):
    """RQScheduler whose process survives Redis going away (RQ's own exits on the first ConnectionError)."""

    def work(self):
        """RQ's loop, begun again after each Redis failure; its heartbeat re-takes the locks a restart lost."""
        delay = 0.0
        while not self._stop_requested:
            began = time.monotonic()
            try:
                return super().work()
            except REDIS_DOWN as error:
                delay = 1.0 if time.monotonic() - began > 2 * BACKOFF_CAP_SECONDS else backoff(delay)
                self.log.warning("Scheduler: Redis unreachable (%s); retrying in %.0f s", error, delay)
                time.sleep(delay)
        try:
            self.stop()  # asked to stop while waiting: give the scheduler locks back if Redis is there
        except REDIS_DOWN:
            pass
        return None
