"""One view of Redis's health shared by everything that uses it (cache, leases, breaker, limiter).

After a failure every user skips Redis for ``retry_after`` seconds and works locally, so an outage costs
one timeout, not one per call; the outage is logged once when it starts and once when it ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from redis.exceptions import RedisClusterException, RedisError

log = logging.getLogger("altslot.redis")
T = TypeVar("T")

REDIS_ERRORS: tuple[type[Exception], ...] = (RedisError, RedisClusterException, OSError, RuntimeError, AttributeError)
"""What a Redis round trip may raise when the server is down, unreachable or answers with an error.

``RuntimeError`` and ``AttributeError`` are not ours to raise here: redis-py 8 leaks them when writing to
a connection the peer closed (uvloop's "handler is closed", redis-py #4287) and while a cluster client
rediscovers its topology. Treating them as Redis failures keeps the promise that a Redis problem never
fails a call.
"""


def describe(error: BaseException) -> str:
    """``Type: message`` (redis-py's repr drops the message, e.g. the slot and node of a ``MOVED``)."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class RedisHealth:
    """Whether Redis is worth asking right now."""

    def __init__(self, retry_after: float = 5.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._retry_after = retry_after
        self._monotonic = monotonic
        self._down_until = 0.0
        self.down = False
        self.problem: str | None = None
        """What the latest failure said, until a success."""

    @property
    def window(self) -> float:
        """Seconds everyone stays off Redis after a failure."""
        return self._retry_after

    @property
    def usable(self) -> bool:
        """False for ``retry_after`` seconds after a failure."""
        return self._monotonic() >= self._down_until

    def failed(self, error: BaseException | str) -> None:
        """Record a failure (an exception, or what a probe said); the first of an outage is logged."""
        self.problem = error if isinstance(error, str) else describe(error)
        if not self.down:
            log.warning("redis unavailable, working locally: %s", self.problem)
        self.down = True
        self._down_until = self._monotonic() + self._retry_after

    def ok(self) -> None:
        """Record a success; the end of an outage is logged.

        A success proves Redis answers, so the back-off ends with it: a late failure from before (a lease
        release on a connection that broke during the outage) must not keep everyone local for a window.
        """
        if self.down:
            log.warning("redis is back; sharing state again")
        self.down = False
        self.problem = None
        self._down_until = 0.0

    async def guard(
        self, primary: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]], *, while_down: bool = False
    ) -> T:
        """Run ``primary`` while Redis is usable, else (or when it fails) ``fallback``.

        ``while_down`` tries ``primary`` during the back-off too: for a call that finishes what Redis
        started (the outcome of a probe Redis granted), which memory could not record in its place.
        """
        if while_down or self.usable:
            try:
                result = await primary()
            except REDIS_ERRORS as error:
                self.failed(error)
            else:
                self.ok()
                return result
        return await fallback()

    @contextmanager
    def best_effort(self) -> Iterator[None]:
        """Record a Redis failure inside the block and carry on; a success records nothing.

        For clean-ups tried even during the back-off whose keys lapse by their TTL if Redis misses them
        (releasing a lease or a probe slot). Tried regardless of the back-off, they leave ending one to
        the calls that respect it.
        """
        try:
            yield
        except REDIS_ERRORS as error:
            self.failed(error)
