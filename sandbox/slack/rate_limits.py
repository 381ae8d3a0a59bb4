"""Slack's Web API rate limits, answered with 429 and Retry-After as Slack answers them; off unless switched on.

Sources: docs.slack.dev/apis/web-api/rate-limits ("chat.postMessage generally allows posting one message per
second per channel"; "Posting messages: 1 per second. Short bursts >1 allowed"; "Tier 3: 50+ per minute ...
Sporadic bursts are welcome"; limits apply "per API method per workspace per app"; a 429 carries a Retry-After
header of seconds to wait) and docs.slack.dev/reference/methods/chat.update (Rate limits: Tier 3);
conversations.history and conversations.replies are Tier 3 "for Marketplace and internal customer-built
applications", as invoice-sync is (each company creates its own app from bot/manifest.yml).
The size of the tolerated bursts is not published: the buckets below allow a small one.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# chat.postMessage: one a second per channel (thread replies included: they are chat.postMessage calls).
POST_PER_SECOND = 1.0
POST_BURST = 3
# chat.update: Tier 3, "50+ per minute" per workspace for this app.
UPDATE_PER_MINUTE = 50
UPDATE_BURST = 10
TIER_3 = ("chat.update", "conversations.history", "conversations.replies")


@dataclass
class Bucket:
    """A token bucket: `rate` calls a second on average, at most `burst` at once."""

    rate: float
    burst: int
    tokens: float = -1.0
    at: float = field(default_factory=time.monotonic)

    def take(self, now: float) -> float:
        """Take one call's token; 0 when granted, else the seconds until one is due."""
        if self.tokens < 0:
            self.tokens = float(self.burst)
        self.tokens = min(float(self.burst), self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class RateLimits:
    """The sandbox's limits by method (and channel for posts); `enabled` switches them on."""

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self.scale = 1.0
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self.refused = 0

    def configure(self, enabled: bool, scale: float = 1.0) -> None:
        """Switch the limits on or off, starting every bucket full; `scale` speeds every rate up (for tests that
        pace the app alike: SLACK_PACE_SCALE), the bursts staying Slack's."""
        with self._lock:
            self.enabled = enabled
            self.scale = scale
            self._buckets.clear()

    def check(self, method: str, channel: str) -> dict[str, str] | None:
        """None when the call may go ahead, else the 429's headers ({"Retry-After": "1"})."""
        if not self.enabled or method not in ("chat.postMessage", *TIER_3):
            return None
        if method == "chat.postMessage":
            key, rate, burst = (method, channel), POST_PER_SECOND, POST_BURST
        else:
            key, rate, burst = (method, ""), UPDATE_PER_MINUTE / 60, UPDATE_BURST
        with self._lock:
            bucket = self._buckets.setdefault(key, Bucket(rate * self.scale, burst))
            wait = bucket.take(time.monotonic())
            if not wait:
                return None
            self.refused += 1
        # Slack's Retry-After is whole seconds, at least 1.
        return {"Retry-After": str(max(1, math.ceil(wait)))}


def limited_answer(limits: RateLimits, method: str, args: dict[str, Any]) -> tuple[int, dict, dict] | None:
    """Slack's answer to a call over its limit, or None: HTTP 429, {"ok": false, "error": "ratelimited"}."""
    headers = limits.check(method, str(args.get("channel") or ""))
    if headers is None:
        return None
    return 429, {"ok": False, "error": "ratelimited"}, headers
