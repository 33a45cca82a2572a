"""Resilience steps around every Cal.com call: deadline → breaker → rate limit → retry → call."""

from __future__ import annotations

from altslot.resilience.breaker import (
    Admission,
    Breaker,
    BreakerPolicy,
    BreakerStore,
    CircuitOpen,
    MemoryBreakerStore,
)
from altslot.resilience.breaker_redis import RedisBreakerStore
from altslot.resilience.deadline import Deadline, DeadlineExceeded
from altslot.resilience.ratelimit import Limiter, RateLimitWaitExceeded
from altslot.resilience.retry import RetryPolicy
from altslot.resilience.upstream import Guard, ResilienceSettings, api_key_identity, build_guard

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
