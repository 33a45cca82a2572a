"""The upstream side of every Cal.com call: ``gateway`` (the calls a search and a booking make) over ``guard``,
whose fixed steps are deadline → breaker → rate limit → retry → call."""

from __future__ import annotations

from altslot.upstream.breaker import (
    Admission,
    Breaker,
    BreakerPolicy,
    BreakerStore,
    CircuitOpen,
    MemoryBreakerStore,
)
from altslot.upstream.breaker_redis import RedisBreakerStore
from altslot.upstream.deadline import Deadline, DeadlineExceeded
from altslot.upstream.guard import Guard, ResilienceSettings, api_key_identity, build_guard
from altslot.upstream.ratelimit import Limiter, RateLimitWaitExceeded
from altslot.upstream.retry import RetryPolicy

__all__ = [
    "Admission",
    "Breaker",
    "BreakerPolicy",
    "BreakerStore",
    "CircuitOpen",
    "Deadline",
    "DeadlineExceeded",
    "Guard",
    "Limiter",
    "MemoryBreakerStore",
    "RateLimitWaitExceeded",
    "RedisBreakerStore",
    "ResilienceSettings",
    "RetryPolicy",
    "api_key_identity",
    "build_guard",
]
