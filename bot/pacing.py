"""Slack's posting limits kept by every worker together, so a month-end backlog never meets a 429 storm.

Slack allows "one message per second per channel" for chat.postMessage ("short bursts >1 allowed") and Tier 3,
"50+ per minute" per workspace for this app, for chat.update (docs.slack.dev/apis/web-api/rate-limits;
docs.slack.dev/reference/methods/chat.update). One token bucket per limit lives in Redis, shared by every
worker process, a little under Slack's figures. A refresh asks for all its calls at once (admit):

- a person's change is urgent while that person has allowance left (five at once, then one every six seconds):
  it takes the tokens as long as there are any, so a click is told at once whatever backlog waits;
- anything else is bulk: it leaves a reserve in each bucket for the people, and once bulk work has had to wait
  it queues on one timeline (spaced by what each refresh costs), so thousands of refreshes come back one after
  another at Slack's pace instead of all at once.
"""

import logging
from dataclasses import dataclass

from redis import Redis, RedisError

from services.ports import SlackWork

log = logging.getLogger(__name__)
_PREFIX = "invoice-sync:slack-pace:"


@dataclass(frozen=True)
class Limit:
    """One of Slack's limits as we keep it: `rate` calls a second, `burst` at once, `reserve` kept from bulk work."""

    rate: float
    burst: float
    reserve: float


# chat.postMessage per channel: Slack's one a second, a burst of 2 (Slack's burst size is not published).
POSTS = Limit(rate=1.0, burst=2, reserve=1)
# chat.update per workspace: 48 a minute, under Tier 3's 50.
UPDATES = Limit(rate=48 / 60, burst=6, reserve=2)
# A person's own urgent allowance: five refreshes at once, then one every six seconds.
ALLOWANCE = Limit(rate=1 / 6, burst=5, reserve=0)
# The timeline leaves this share of the capacity to urgent work.
TIMELINE_SLACK = 1.1


# KEYS: the buckets, then the actor's allowance, then the timeline. ARGV: mode, the bucket count, per bucket
# (rate, burst, need, reserve), the allowance's rate and burst, the work's spacing on the timeline.
# Answers "<seconds to wait> <mode judged>": 0 when admitted (the tokens are taken); urgent work beyond its
# allowance is judged bulk. A string, as Lua numbers lose their fraction on the way out.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local mode, n = ARGV[1], tonumber(ARGV[2])
local function level(key, rate, burst)
  local v = redis.call('HMGET', key, 'tokens', 'at')
  if not v[1] then return burst end
  return math.min(burst, tonumber(v[1]) + (now - tonumber(v[2])) * rate)
end
local function put(key, tokens, rate, burst)
  redis.call('HSET', key, 'tokens', tokens, 'at', now)
  redis.call('EXPIRE', key, math.ceil((burst - tokens) / rate) + 60)
end
local arate, aburst = tonumber(ARGV[3 + 4 * n]), tonumber(ARGV[4 + 4 * n])
local spacing = tonumber(ARGV[5 + 4 * n])
local urgent = false
if mode == 'urgent' then
  urgent = level(KEYS[n + 1], arate, aburst) >= 1
  if not urgent then mode = 'bulk' end
end
local timeline = tonumber(redis.call('GET', KEYS[n + 2]) or '0')
if mode == 'bulk' and timeline > now then
  redis.call('SET', KEYS[n + 2], tostring(timeline + spacing), 'EX', math.ceil(timeline + spacing - now) + 60)
  return tostring(timeline - now) .. ' bulk'
end
local wait, levels = 0, {}
for i = 1, n do
  local rate, burst = tonumber(ARGV[3 + 4 * (i - 1)]), tonumber(ARGV[4 + 4 * (i - 1)])
  local need, reserve = tonumber(ARGV[5 + 4 * (i - 1)]), tonumber(ARGV[6 + 4 * (i - 1)])
  local have = level(KEYS[i], rate, burst)
  local floor = math.min(burst, need + (urgent and 0 or reserve))
  if floor < 1 then floor = 1 end
  if have < floor then wait = math.max(wait, (floor - have) / rate) end
  levels[i] = have
end
if wait == 0 then
  for i = 1, n do
    local rate, burst = tonumber(ARGV[3 + 4 * (i - 1)]), tonumber(ARGV[4 + 4 * (i - 1)])
    put(KEYS[i], levels[i] - tonumber(ARGV[5 + 4 * (i - 1)]), rate, burst)
  end
  if urgent then put(KEYS[n + 1], level(KEYS[n + 1], arate, aburst) - 1, arate, aburst) end
  return '0 ' .. mode
end
if mode == 'bulk' then
  local slot = math.max(now + wait, timeline)
  redis.call('SET', KEYS[n + 2], tostring(slot + spacing), 'EX', math.ceil(slot + spacing - now) + 60)
  return tostring(slot - now) .. ' bulk'
end
return tostring(wait) .. ' ' .. mode
"""


class SlackPace:
    """The shared buckets; `scale` speeds every limit up (a test against a sandbox whose limits are scaled alike)."""

    def __init__(self, redis: Redis | None, scale: float = 1.0):
        self.redis = redis
        self.scale = scale
        self._script = redis.register_script(_ADMIT) if redis is not None else None

    def admit(self, work: SlackWork, mode: str) -> tuple[float, str]:
        """Take Slack's capacity for `work` now (0.0), or say how many seconds it should wait first; with the mode
        it was judged in (a person beyond their allowance is bulk).

        `mode`: 'urgent' (a person's change), 'bulk', or 'deferred' (bulk that already waited its turn on the
        timeline: it is not sent to the timeline's end again)."""
        limits = [(f"{_PREFIX}update", UPDATES, work.updates)] if work.updates else []
        limits += [(f"{_PREFIX}post:{channel}", POSTS, count) for channel, count in sorted(work.posts.items()) if count]
        if not limits or self._script is None:
            return 0.0, mode
        spacing = max(need / (limit.rate * self.scale) for _, limit, need in limits) * TIMELINE_SLACK
        args: list = [mode, len(limits)]
        for _, limit, need in limits:
            args += [limit.rate * self.scale, limit.burst, need, limit.reserve]
        args += [ALLOWANCE.rate * self.scale, ALLOWANCE.burst, spacing]
        keys = [key for key, _, _ in limits] + [f"{_PREFIX}allowance:{work.actor}", f"{_PREFIX}timeline"]
        try:
            answer = self._script(keys=keys, args=args)
        except RedisError as error:
            # Without Redis nothing is paced; slack_sdk still waits out Slack's own 429s.
            log.warning("Slack pacing unavailable (%s); calling Slack unpaced", error)
            return 0.0, mode
        wait, judged = (answer.decode() if isinstance(answer, bytes) else answer).split()
        return max(0.0, float(wait)), judged

    def backlog_seconds(self) -> float:
        """How far ahead bulk work is booked on the timeline (0 when none waits)."""
        if self.redis is None:
            return 0.0
        try:
            booked, now = self.redis.get(f"{_PREFIX}timeline"), self.redis.time()
        except RedisError:
            return 0.0
        return max(0.0, float(booked) - (now[0] + now[1] / 1e6)) if booked else 0.0
