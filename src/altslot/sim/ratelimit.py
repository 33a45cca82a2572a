"""Cal.com v2's throttler: a fixed 60 s window per API key (or client IP) and a 60 s block beyond it."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60.0
BLOCK_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one request and the values of the ``X-RateLimit-*-Default`` headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The rate-limit headers Cal.com sends on every response."""
        return [
            (b"x-ratelimit-limit-default", str(self.limit).encode()),
            (b"x-ratelimit-remaining-default", str(self.remaining).encode()),
            (b"x-ratelimit-reset-default", str(self.reset_seconds).encode()),
        ]


@dataclass(slots=True)
class _Window:
    started: float
    count: int = 0
    blocked_until: float = 0.0


class RateLimiter:
    """Counts requests per key; the monotonic clock is separate from the simulated one on purpose.

    A frozen simulated ``now`` must not freeze the window, or a limited key would stay blocked forever.
    """

    def __init__(self, limit: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._monotonic = monotonic
        self._windows: dict[str, _Window] = {}

    def hit(self, key: str) -> Verdict:
        """Count one request for ``key`` and say whether it may pass."""
        now = self._monotonic()
        window = self._windows.get(key)
        if window is not None and window.blocked_until > now:
            return Verdict(False, self.limit, 0, math.ceil(window.blocked_until - now))
        if window is None or now - window.started >= WINDOW_SECONDS:
            window = self._windows[key] = _Window(started=now)
        window.count += 1
        if window.count > self.limit:
            window.blocked_until = now + BLOCK_SECONDS
            return Verdict(False, self.limit, 0, math.ceil(BLOCK_SECONDS))
        reset = max(1, math.ceil(window.started + WINDOW_SECONDS - now))
        return Verdict(True, self.limit, self.limit - window.count, reset)

    def blocked(self) -> Verdict:
        """A verdict for an injected ``rate_limited`` fault: blocked for a whole block period."""
        return Verdict(False, self.limit, 0, math.ceil(BLOCK_SECONDS))

    def reset(self) -> None:
        """Forget all windows and blocks."""
        self._windows.clear()
