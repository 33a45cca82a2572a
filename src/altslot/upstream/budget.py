"""Cal.com's own count of what a key has left, kept between responses.

Cal.com answers every call with ``X-RateLimit-Remaining-*`` and ``-Reset-*``. Holding off only once
``remaining`` reached 0 is too late when many calls are in flight: they all arrive after the last free
one and earn 429s. So the budget counts down locally with every call sent and takes Cal.com's figure
whenever it is lower. Until the first answer has told the budget (and again after each reset) only one
call goes out — a slow start — so a key with a smaller limit than configured is never overrun by a
first burst. When the reported reset has passed, the budget starts again from the key's reported limit.
A Cal.com that sends no such headers switches the budget off for that key.
"""

from __future__ import annotations

from dataclasses import dataclass

from altslot.calcom.wire import RateLimitInfo
from altslot.types import Monotonic

PROBE_TIMEOUT = 5.0
"""A probe whose answer never came (it failed without headers) stops blocking others after this."""


@dataclass
class _Count:
    limit: int
    remaining: int
    reset_at: float
    window: float


class HeaderBudget:
    """Per key: what Cal.com last said is left, minus what was sent since."""

    def __init__(self, clock: Monotonic) -> None:
        self._clock = clock
        self._counts: dict[str, _Count] = {}
        self._probes: dict[str, float] = {}
        self._without_headers: set[str] = set()

    def take(self, key: str) -> float:
        """Use one call of the budget; returns 0 when it may go now, else seconds to wait first."""
        if key in self._without_headers:
            return 0.0
        now = self._clock()
        count = self._counts.get(key)
        if count is not None and now >= count.reset_at:
            # A new window: Cal.com's windows are fixed, so the whole limit is there again.
            count.remaining, count.reset_at = count.limit, now + count.window
        if count is not None:
            if count.remaining <= 0:
                return count.reset_at - now
            count.remaining -= 1
            return 0.0
        probe = self._probes.get(key)
        if probe is not None and now - probe < PROBE_TIMEOUT:
            return 0.05  # the probe's answer will tell us the budget
        self._probes[key] = now
        return 0.0

    def learn(self, key: str, info: RateLimitInfo | None) -> None:
        """Take in what a response said (None: it carried no rate-limit headers)."""
        self._probes.pop(key, None)
        if info is None:
            self._without_headers.add(key)
            return
        self._without_headers.discard(key)
        now = self._clock()
        count = self._counts.get(key)
        limit = max(info.limit, info.remaining)
        if count is None or now >= count.reset_at:
            self._counts[key] = _Count(limit, info.remaining, now + info.reset_seconds, 60.0)
        else:
            count.limit = limit
            count.remaining = min(count.remaining, info.remaining)

    def refund(self, key: str) -> None:
        """Give back what ``take`` just used (the call did not go out after all)."""
        if self._probes.pop(key, None) is not None:
            return
        count = self._counts.get(key)
        if count is not None:
            count.remaining += 1

    def settle(self, key: str) -> None:
        """A call ended without an answer to learn from: let the next call probe."""
        self._probes.pop(key, None)
