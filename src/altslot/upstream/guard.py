"""The ``Guard``: deadline → breaker → rate limit → retry → call, steps 4–8 of the order in ``altslot.upstream``.

Structurally the limiter runs inside the retry loop, as the first thing every attempt does. After each attempt
the guard feeds Cal.com's ``X-RateLimit-*`` headers (``rate_info``, typically ``CalcomClient.last_rate_limit``)
to the limiter, and a 429 blocks the key on all instances.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, TypedDict, TypeVar

from limits.aio.storage import Storage
from pydantic import BaseModel, ConfigDict, Field

from altslot.calcom.errors import RateLimited, Timeout
from altslot.calcom.wire import RateLimitInfo
from altslot.events import Events
from altslot.shared.health import RedisHealth
from altslot.shared.redis_client import AnyRedis
from altslot.types import Monotonic
from altslot.upstream.breaker import Breaker, BreakerPolicy, MemoryBreakerStore
from altslot.upstream.breaker_redis import RedisBreakerStore
from altslot.upstream.deadline import Deadline, DeadlineExceeded
from altslot.upstream.ratelimit import Limiter
from altslot.upstream.retry import RetryPolicy

T = TypeVar("T")


class ResilienceSettings(BaseModel):
    """The ``[resilience]`` section of the configuration file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    failure_threshold: Annotated[int, Field(ge=1)] = 5
    success_threshold: Annotated[int, Field(ge=1)] = 2
    cool_down_seconds: Annotated[float, Field(gt=0)] = 30.0
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    backoff_initial: Annotated[float, Field(ge=0)] = 0.1
    backoff_max: Annotated[float, Field(ge=0)] = 2.0
    rate_limit_per_minute: Annotated[int, Field(ge=1)] = 120


def api_key_identity(api_key: str) -> str:
    """The key the resilience steps use for a Cal.com API key: ``sha256(api_key)[:16]``, never the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True, eq=False)
class Guard:
    """Runs upstream calls through deadline, breaker, rate limit and retry, in that order."""

    breaker: Breaker
    limiter: Limiter
    retry: RetryPolicy
    clock: Monotonic = time.monotonic
    """Times deadlines (the breaker and the limiter carry their own)."""

    def deadline(self, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now on the guard's clock."""
        return Deadline.after(seconds, self.clock)

    async def call(
        self,
        key: str,
        tenant: str,
        op: Callable[[], Awaitable[T]],
        deadline: Deadline,
        rate_info: Callable[[], RateLimitInfo | None] | None = None,
        *,
        retry: bool = True,
    ) -> T:
        """Run ``op`` for the Cal.com key ``key`` (an identity, not the key) within ``deadline``.

        ``retry=False`` makes exactly one attempt, for calls Cal.com does not treat as idempotent.
        """
        if deadline.expired:
            raise DeadlineExceeded()
        # Set when an attempt hit the client's own timeout: if the deadline then cancels the retry, the
        # breaker still hears of the hang (otherwise a hanging Cal.com would never open it).
        timed_out = False

        async def attempt() -> T:
            nonlocal timed_out
            await self.limiter.acquire(key, deadline, tenant=tenant)
            # The client keeps its last headers; identity tells a fresh response from a stale one.
            before = rate_info() if rate_info is not None else None
            answered = False
            try:
                result = await op()
                answered = True
                return result
            except RateLimited as exc:
                await self.limiter.block(key, exc.reset_seconds)
                raise
            except Timeout:
                timed_out = True
                raise
            finally:
                info = rate_info() if rate_info is not None else None
                if info is not None and info is not before:
                    await self.limiter.observe(key, info)
                elif answered and rate_info is not None:
                    await self.limiter.observe(key, None)  # answered without rate-limit headers
                else:
                    self.limiter.settle(key)

        async def retried() -> T:
            return await self.retry.run(attempt, deadline) if retry else await attempt()

        try:
            async with asyncio.timeout(deadline.remaining()) as scope:
                return await self.breaker.call(key, tenant, retried, lambda: timed_out)
        except TimeoutError as exc:
            if scope.expired():
                raise DeadlineExceeded() from exc
            raise


class GuardOptions(TypedDict, total=False):
    """``build_guard``'s keywords: where breaker and limiter keep their state, who hears of them, their clock."""

    redis: AnyRedis | None
    window: Storage | None
    health: RedisHealth | None
    events: Events | None
    clock: Monotonic


def build_guard(
    settings: ResilienceSettings | None = None,
    *,
    redis: AnyRedis | None = None,
    window: Storage | None = None,
    health: RedisHealth | None = None,
    events: Events | None = None,
    clock: Monotonic = time.monotonic,
) -> Guard:
    """A ``Guard`` from settings; with ``redis`` the breaker state and rate-limit windows are shared."""
    settings = settings or ResilienceSettings()
    policy = BreakerPolicy(
        failure_threshold=settings.failure_threshold,
        success_threshold=settings.success_threshold,
        cool_down_seconds=settings.cool_down_seconds,
        probe_lease_seconds=settings.cool_down_seconds,
    )
    local = MemoryBreakerStore(policy, clock)
    health = health or RedisHealth()
    store = local if redis is None else RedisBreakerStore(redis, policy, fallback=local, health=health)
    return Guard(
        breaker=Breaker(store, events=events),
        limiter=Limiter(
            rate=f"{settings.rate_limit_per_minute}/minute",
            redis=redis,
            window=window,
            health=health,
            events=events,
            clock=clock,
        ),
        retry=RetryPolicy(
            max_attempts=settings.max_attempts,
            backoff_initial=settings.backoff_initial,
            backoff_max=settings.backoff_max,
        ),
        clock=clock,
    )
