"""RQ's scheduler (delayed jobs, retries, the sweep chain), made to wait out a Redis outage instead of exiting."""

import os
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.scheduler import RQScheduler

from plumbing.lifeline import die_with_parent

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
BACKOFF_CAP_SECONDS = 5


def backoff(delay: float) -> float:
    """The next wait for Redis after `delay`: 1, 2, 4, then every 5 s."""
    return min(max(1.0, 2 * delay), BACKOFF_CAP_SECONDS)


class SteadyScheduler(RQScheduler):
    """RQScheduler whose process survives Redis going away (RQ's own exits on the first ConnectionError)."""

    def start(self):
        """Fork the scheduler's process (RQ's), remembering whose it is."""
        self._worker_pid = os.getpid()
        return super().start()

    def work(self):
        """RQ's loop, begun again after each Redis failure; its heartbeat re-takes the locks a restart lost."""
        # A worker SIGKILLed (an OOM kill, a chaos run) would leave this process scheduling, or waiting for a Redis
        # that is gone, forever: Linux sends it SIGTERM when the worker dies, which RQ's handler turns into a stop.
        die_with_parent()
        if os.getppid() != getattr(self, "_worker_pid", os.getppid()):
            return None  # the worker died before the line above
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
