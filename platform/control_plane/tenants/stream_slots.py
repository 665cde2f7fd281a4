"""How many live streams a user holds open, across every server process: a bounded number each (Redis).

A stream takes a slot before it answers and gives it back when it ends. Each slot is a member of the user's
sorted set, scored with the time the stream must have ended by (its maximum duration), so a slot of a process
that died without giving it back lapses on its own.
"""

from __future__ import annotations

import functools
import math
import secrets
import time

import redis
from django.conf import settings

# Atomic: drop lapsed slots, refuse when full, else take one (KEYS[1]: the user's set).
_TAKE = """
local now, deadline, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, oldest[2]}
end
redis.call('ZADD', KEYS[1], deadline, ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(deadline - now) + 60)
return {1, 0}
"""


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@functools.cache
def _take_script() -> object:
    return _redis().register_script(_TAKE)


def _key(kind: str, user_id: object) -> str:
    # The cache's prefix keeps test runs (and projects sharing a Redis) apart.
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"tenantry:{prefix}:streams:{kind}:{user_id}"


class Slot:
    def __init__(self, kind: str, user_id: object, token: str) -> None:
        self.key = _key(kind, user_id)
        self.token = token

    def give_back(self) -> None:
        _redis().zrem(self.key, self.token)


def take(kind: str, user_id: object, limit: int, seconds: float) -> Slot | int:
    """A slot for a stream of at most `seconds`, or (all `limit` taken) the seconds until the oldest lapses."""
    now = time.time()
    token = secrets.token_hex(8)
    taken, oldest = _take_script()(keys=[_key(kind, user_id)], args=[now, now + seconds, limit, token])  # type: ignore[operator]  # redis-py's Script
    if int(taken):
        return Slot(kind, user_id, token)
    return max(1, math.ceil(float(oldest) - now))
