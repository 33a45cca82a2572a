"""Redis outage bookkeeping shared by the breaker and the limiter: warn once, then stay quiet."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

REDIS_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)
"""What a Redis round trip may raise when the server is down or unreachable."""


class RedisOutage:
    """Tracks whether Redis is failing so an outage logs one warning, not one per call."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self._log = logger
        self._what = what
        self._down = False

    @property
    def down(self) -> bool:
        """True while the last Redis round trip failed."""
        return self._down

    def failed(self, exc: BaseException) -> None:
        """Record a failed round trip; only the first of an outage is logged."""
        if not self._down:
            self._down = True
            self._log.warning("redis unavailable for %s, using local state: %r", self._what, exc)

    def ok(self) -> None:
        """Record a successful round trip, ending an outage."""
        if self._down:
            self._down = False
            self._log.info("redis available again for %s", self._what)
