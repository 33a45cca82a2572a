"""One view of Redis's health shared by everything that uses it (cache, leases, breaker, limiter).

After a failure every user skips Redis for ``retry_after`` seconds and works locally, so an outage costs
one timeout, not one per call; the outage is logged once when it starts and once when it ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import RedisError

log = logging.getLogger("altslot.redis")
T = TypeVar("T")

REDIS_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)
"""What a Redis round trip may raise when the server is down or unreachable."""


class RedisHealth:
    """Whether Redis is worth asking right now."""

    def __init__(self, retry_after: float = 5.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._retry_after = retry_after
        self._monotonic = monotonic
        self._down_until = 0.0
        self.down = False

    @property
    def usable(self) -> bool:
        """False for ``retry_after`` seconds after a failure."""
        return self._monotonic() >= self._down_until

    def failed(self, error: BaseException) -> None:
        """Record a failure; the first of an outage is logged as a warning."""
        if not self.down:
            log.warning("redis unavailable, working locally: %r", error)
        self.down = True
        self._down_until = self._monotonic() + self._retry_after

    def ok(self) -> None:
        """Record a success; the end of an outage is logged."""
        if self.down:
            log.warning("redis is back; sharing state again")
        self.down = False

    async def guard(self, primary: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]]) -> T:
        """Run ``primary`` while Redis is usable, else (or when it fails) ``fallback``."""
        if self.usable:
            try:
                result = await primary()
            except REDIS_ERRORS as error:
                self.failed(error)
            else:
                self.ok()
                return result
        return await fallback()
