"""Client-side rate limiting per Cal.com API key, so altslot waits instead of provoking 429s.

Cal.com v2 allows 120 requests per minute per API key and blocks the key for 60 s beyond that. The
limiter uses the ``limits`` library's **moving window** (``MovingWindowRateLimiter``): it guarantees that no
60 s span of any alignment holds more than the limit. Cal.com's throttler window starts whenever it
likes, so a fixed window could send up to twice the limit across its boundary and a sliding-window
counter is only an approximation; either could earn a 60 s block. The moving window stores one
timestamp per request (120 per key), a negligible cost. With Redis its storage is ``limits``'
``RedisStorage`` (redis-py, sharing the service's pool) or, on a cluster, ``RedisClusterStorage`` (built by
``altslot.shared.redis_client.window_storage``), so all instances draw from one budget; else ``MemoryStorage``.

On top of the window, Cal.com's own word wins: ``observe`` holds a key whose ``X-RateLimit-Remaining``
reached 0 until the reported reset, and ``block`` does the same after a 429. Holds are written to
``altslot:{<key>}:ratelimit:block`` (``altslot.shared.keys.ratelimit_block_key``) with PX so every instance
holds off until Cal.com's reset.

Redis errors never fail a call: the limiter falls back to its memory storage and local holds and logs
one warning per outage.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from altslot.calcom.errors import Refused
from altslot.calcom.wire import RateLimitInfo
from altslot.events import Events, RateLimitWait
from altslot.shared.health import RedisHealth
from altslot.shared.keys import ratelimit_block_key, ratelimit_namespace
from altslot.shared.redis_client import AnyRedis, window_storage
from altslot.shared.ttl import from_ms, to_ms
from altslot.types import Monotonic
from altslot.upstream.budget import HeaderBudget
from altslot.upstream.deadline import Deadline

log = logging.getLogger("altslot.upstream.ratelimit")

Sleep = Callable[[float], Awaitable[None]]

# Extend-only: a shorter block reported later must not cut short a longer one already in place.
_BLOCK = """
local t = redis.call('PTTL', KEYS[1])
if t < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 0
"""

MIN_WINDOW_WAIT = 0.01
"""Shortest re-check interval when the window says "free now" but the hit lost a race."""


class RateLimitWaitExceeded(Refused):
    """The key's rate limit would need a wait longer than the deadline allows; no call was made."""

    def __init__(self, retry_after: float, message: str = "rate limit: waiting would exceed the deadline") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Limiter:
    """A moving-window limit per key plus holds learned from Cal.com's headers and 429s."""

    def __init__(
        self,
        *,
        rate: str = "120/minute",
        redis: AnyRedis | None = None,
        window: Storage | None = None,
        health: RedisHealth | None = None,
        events: Events | None = None,
        clock: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        step_seconds: float = 0.25,
        min_attempt_seconds: float = 0.2,
    ) -> None:
        self._rate = parse(rate)
        self._events = events
        self._clock = clock
        self._sleep = sleep
        self._step = step_seconds
        self._min_attempt = min_attempt_seconds
        self._holds: dict[str, float] = {}
        self._budget = HeaderBudget(clock)
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._redis = redis
        self._shared: MovingWindowRateLimiter | None = None
        self._outage = health or RedisHealth()
        if redis is not None:
            self._shared = MovingWindowRateLimiter(window or window_storage(redis))
            self._block = redis.register_script(_BLOCK)

    def _item(self, key: str) -> RateLimitItem:
        # The namespace carries the hash tag, giving window keys like altslot:{<key>}:ratelimit/120/1/minute.
        return type(self._rate)(self._rate.amount, self._rate.multiples, namespace=ratelimit_namespace(key))

    async def acquire(self, key: str, deadline: Deadline, *, tenant: str | None = None) -> float:
        """Take one request from ``key``'s budget, waiting within ``deadline``; returns the seconds waited."""
        waited = 0.0
        while True:
            wait = await self.held_for(key)
            if wait <= 0:
                wait = self._budget.take(key)
            if wait <= 0:
                if await self._hit(key):
                    break
                self._budget.refund(key)
                wait = await self._window_wait(key)
            # Waiting only helps if a useful attempt still fits after it.
            if wait + self._min_attempt > deadline.remaining():
                raise RateLimitWaitExceeded(wait)
            # Small steps: another instance may block the key meanwhile, or the window may free early.
            step = min(wait, self._step)
            await self._sleep(step)
            waited += step
        if waited > 0 and self._events is not None:
            self._events.emit(RateLimitWait(tenant=tenant or key, seconds=waited))
        return waited

    async def observe(self, key: str, info: RateLimitInfo | None) -> None:
        """Learn from an answer's headers (None: it had none); an exhausted budget holds ``key`` until reset."""
        self._budget.learn(key, info)
        if info is not None and info.remaining <= 0:
            await self.block(key, info.reset_seconds)

    def settle(self, key: str) -> None:
        """A call ended without an answer (transport error, timeout): the budget learns nothing from it."""
        self._budget.settle(key)

    async def block(self, key: str, seconds: float) -> None:
        """Hold ``key`` for ``seconds`` on every instance (after a 429 or an exhausted budget)."""
        if seconds <= 0:
            return
        until = self._clock() + seconds
        self._holds[key] = max(self._holds.get(key, 0.0), until)
        if self._redis is None:
            return

        async def shared() -> None:
            await self._block(keys=[ratelimit_block_key(key)], args=[to_ms(seconds)])

        await self._outage.guard(shared, _nothing)

    async def held_for(self, key: str) -> float:
        """Seconds ``key`` is still held by a block, here or (with Redis) on any instance."""
        local = 0.0
        if (until := self._holds.get(key)) is not None:
            local = until - self._clock()
            if local <= 0:
                del self._holds[key]
                local = 0.0
        redis = self._redis
        if redis is None:
            return local

        async def shared() -> float:
            return max(local, from_ms(await redis.pttl(ratelimit_block_key(key))))

        async def here() -> float:
            return local

        return await self._outage.guard(shared, here)

    async def _hit(self, key: str) -> bool:
        item, shared = self._item(key), self._shared
        if shared is None:
            return await self._memory.hit(item)
        return await self._outage.guard(lambda: shared.hit(item), lambda: self._memory.hit(item))

    async def _window_wait(self, key: str) -> float:
        item, shared = self._item(key), self._shared
        if shared is None:
            stats = await self._memory.get_window_stats(item)
        else:
            stats = await self._outage.guard(
                lambda: shared.get_window_stats(item), lambda: self._memory.get_window_stats(item)
            )
        # limits keeps window timestamps on the wall clock (time.time), so the wait is measured on it too.
        return max(stats.reset_time - time.time(), MIN_WINDOW_WAIT)


async def _nothing() -> None:
    return None
