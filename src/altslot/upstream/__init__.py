"""Every Cal.com call, and the one order its steps run in, outermost first.

A search's availability (``altslot.availability``) first tries what needs no call:

1. **cache** — fresh days from the day cache; stale days served at once while one refresh runs;
2. **single-flight** — one fetch per day in the process and, with Redis, across instances;
3. **caller's deadline** — the caller stops waiting; the shared fetch keeps its own budget (``fetch_budget``,
   the configured search deadline) and is never cancelled by a caller.

Then ``Upstream`` (``gateway``) hands every client call, from searches, holds, the warmer and the booking
path alike, to one ``Guard`` (``guard``):

4. **deadline** — bounds everything below, waits and retries included; a call whose deadline has passed
   does nothing at all;
5. **breaker** (``breaker``) — an open circuit costs nothing: no rate-limit budget, no retry, no call. It sees
   the outcome of the whole retried call, so it counts failures per guarded call, not per attempt;
6. **rate limit** (``ratelimit``) — before *each* attempt, retries included, because every attempt spends
   Cal.com's budget; it waits within the deadline instead of provoking a 429;
7. **retry** (``retry``) — backoff with jitter on transport errors, timeouts and 5xx, Cal.com's reset time on
   429, only while the deadline allows one more attempt; a caller passing ``retry=False`` (a call Cal.com does
   not treat as idempotent, such as creating a booking) gets exactly one attempt;
8. **Cal.com client** (``altslot.calcom``) — one HTTP request, errors mapped onto the error tree.

A step that declines raises its own ``Refused`` (the branch of ``altslot.calcom.errors`` for altslot's own
refusals): ``DeadlineExceeded``, ``CircuitOpen``, ``RateLimitWaitExceeded``. Retry and breaker classify
every error by its branch alone, so a refusal is never retried and never counted against Cal.com.

After each attempt the guard feeds Cal.com's ``X-RateLimit-*`` headers to the limiter, and a 429 blocks the
key on all instances. ``stack.build_upstream`` is the one function that composes steps 4–8 from settings.
"""

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
