"""Redis outage bookkeeping for the breaker and the limiter: the service-wide ``RedisHealth``."""

from __future__ import annotations

from altslot.shared.health import REDIS_ERRORS, RedisHealth

__all__ = ["REDIS_ERRORS", "RedisHealth"]
