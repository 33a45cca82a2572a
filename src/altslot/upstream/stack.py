"""The one place that composes the upstream stack; its order is stated in ``altslot.upstream``."""

from __future__ import annotations

import time

from limits.aio.storage import Storage

from altslot.calcom.client import CalcomPool
from altslot.events import Events
from altslot.shared.health import RedisHealth
from altslot.shared.redis_client import AnyRedis
from altslot.types import Monotonic
from altslot.upstream.gateway import Upstream
from altslot.upstream.guard import ResilienceSettings, build_guard


def build_upstream(
    settings: ResilienceSettings,
    pool: CalcomPool,
    *,
    fetch_budget: float,
    redis: AnyRedis | None = None,
    window: Storage | None = None,
    health: RedisHealth | None = None,
    events: Events | None = None,
    clock: Monotonic = time.monotonic,
) -> Upstream:
    """Cal.com access for every tenant: ``pool``'s clients, each call through deadline → breaker → rate limit → retry.

    ``fetch_budget`` bounds a call that names no budget of its own; with ``redis`` the breaker state and the
    rate-limit windows are shared across instances.
    """
    guard = build_guard(settings, redis=redis, window=window, health=health, events=events, clock=clock)
    return Upstream(pool, guard, fetch_budget=fetch_budget, events=events)
