"""The circuit breaker: opens on retryable failures only, probes after a cool-down, shares via Redis."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.asyncio import Redis

from altslot.calcom.errors import BadRequest, CalcomError, RateLimited, ServerError, Timeout, Unauthorized
from altslot.events import BreakerTransition, Event, Events
from altslot.shared.health import RedisHealth
from altslot.shared.redis_client import connect_redis
from altslot.upstream.breaker import Breaker, BreakerPolicy, CircuitOpen, MemoryBreakerStore
from altslot.upstream.breaker_redis import RedisBreakerStore
from tests.support.clocks import FakeClock
from tests.support.ops import Upstream
from tests.support.outage import assert_one_outage_logged
from tests.support.redis_servers import PrivateRedis

pytestmark = pytest.mark.anyio

POLICY = BreakerPolicy(failure_threshold=3, success_threshold=2, cool_down_seconds=30.0)


class HeldProbe:
    """A probe call that starts, then answers only when the test releases it."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self) -> str:
        self.started.set()
        await self.release.wait()
        return "probed"


async def fail(breaker: Breaker, key: str, times: int, error: CalcomError | None = None) -> None:
    """Run ``times`` calls that fail with ``error`` (a 5xx by default)."""
    for _ in range(times):
        with pytest.raises(CalcomError):
            await breaker.call(key, "acme", Upstream(error or ServerError("boom", status=502)))


def recorder(events: Events) -> list[str]:
    """Subscribe and collect the breaker states emitted."""
    seen: list[str] = []

    def observe(event: Event) -> None:
        if isinstance(event, BreakerTransition):
            seen.append(event.state)

    events.subscribe(observe)
    return seen


async def test_opens_after_threshold_and_then_makes_no_call(clock: FakeClock, key: str) -> None:
    """Three consecutive 5xx/timeouts open the circuit; the next call fails fast without touching the op."""
    breaker = Breaker.in_memory(POLICY, clock=clock)
    await fail(breaker, key, 2)
    await fail(breaker, key, 1, Timeout("slow"))
    upstream = Upstream()
    with pytest.raises(CircuitOpen) as raised:
        await breaker.call(key, "acme", upstream)
    assert upstream.calls == 0
    assert raised.value.retry_after == pytest.approx(30.0)
    assert await breaker.state(key) == "open"


async def test_fatal_errors_never_open_and_reset_the_count(clock: FakeClock, key: str) -> None:
    """400s and 401s pass straight to the caller and never count; they also break a failure streak."""
    breaker = Breaker.in_memory(POLICY, clock=clock)
    upstream = Upstream(BadRequest("slot taken", status=400))
    for _ in range(10):
        with pytest.raises(BadRequest):
            await breaker.call(key, "acme", upstream)
    with pytest.raises(Unauthorized):
        await breaker.call(key, "acme", Upstream(Unauthorized("bad key", status=401)))
    await fail(breaker, key, 2)
    await fail(breaker, key, 1, BadRequest("slot taken", status=400))
    await fail(breaker, key, 2)
    assert upstream.calls == 10
    assert await breaker.state(key) == "closed"


async def test_rate_limited_does_not_count(clock: FakeClock, key: str) -> None:
    """429s are the limiter's business: any number of them leaves the circuit closed."""
    breaker = Breaker.in_memory(POLICY, clock=clock)
    await fail(breaker, key, 5, RateLimited("slow down", reset_seconds=60))
    assert await breaker.state(key) == "closed"


async def test_probe_after_cool_down_one_at_a_time(clock: FakeClock, key: str) -> None:
    """After the cool-down exactly one probe goes through; concurrent calls fail fast meanwhile."""
    breaker = Breaker.in_memory(POLICY, clock=clock)
    await fail(breaker, key, 3)
    clock.advance(29.0)
    with pytest.raises(CircuitOpen) as raised:
        await breaker.call(key, "acme", Upstream())
    assert raised.value.retry_after == pytest.approx(1.0)
    clock.advance(1.0)

    slow_probe = HeldProbe()
    probe = asyncio.create_task(breaker.call(key, "acme", slow_probe))
    await slow_probe.started.wait()
    other = Upstream()
    with pytest.raises(CircuitOpen):
        await breaker.call(key, "acme", other)
    assert other.calls == 0
    slow_probe.release.set()
    assert await probe == "probed"
    assert await breaker.state(key) == "half_open"


async def test_closes_after_success_threshold(clock: FakeClock, key: str) -> None:
    """Two successful probes in a row close the circuit again, with events for each transition."""
    events = Events()
    seen = recorder(events)
    breaker = Breaker.in_memory(POLICY, events=events, clock=clock)
    await fail(breaker, key, 3)
    clock.advance(30.0)
    assert await breaker.call(key, "acme", Upstream()) == "ok"
    assert await breaker.state(key) == "half_open"
    assert await breaker.call(key, "acme", Upstream()) == "ok"
    assert await breaker.state(key) == "closed"
    assert seen == ["open", "half_open", "closed"]


async def test_failed_probe_reopens(clock: FakeClock, key: str) -> None:
    """A failing probe opens the circuit for a whole new cool-down."""
    events = Events()
    seen = recorder(events)
    breaker = Breaker.in_memory(POLICY, events=events, clock=clock)
    await fail(breaker, key, 3)
    clock.advance(30.0)
    await fail(breaker, key, 1)
    clock.advance(29.0)
    with pytest.raises(CircuitOpen):
        await breaker.call(key, "acme", Upstream())
    assert seen == ["open", "half_open", "open"]


async def test_cancelled_probe_frees_the_slot(clock: FakeClock, key: str) -> None:
    """A probe that ends without a verdict (cancelled) gives the slot back for the next caller."""
    breaker = Breaker.in_memory(POLICY, clock=clock)
    await fail(breaker, key, 3)
    clock.advance(30.0)

    async def hang() -> str:
        await asyncio.sleep(3600)
        return "never"

    probe = asyncio.create_task(breaker.call(key, "acme", hang))
    await asyncio.sleep(0)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert await breaker.call(key, "acme", Upstream()) == "ok"


async def test_keys_are_independent(clock: FakeClock, key: str) -> None:
    """One tenant's open circuit does not affect another Cal.com key."""
    breaker = Breaker.in_memory(POLICY, clock=clock)
    await fail(breaker, key, 3)
    assert await breaker.call(f"{key}-other", "globex", Upstream()) == "ok"


async def test_redis_state_is_shared_between_instances(redis: Redis, key: str) -> None:
    """Two breakers on one Redis (two processes): after one opens the circuit, both fail fast."""
    first = Breaker(RedisBreakerStore(redis, POLICY))
    second = Breaker(RedisBreakerStore(redis, POLICY))
    await fail(first, key, 2)
    await fail(second, key, 1)
    for breaker in (first, second):
        upstream = Upstream()
        with pytest.raises(CircuitOpen) as raised:
            await breaker.call(key, "acme", upstream)
        assert upstream.calls == 0
        assert 0 < raised.value.retry_after <= 30.0
    assert await second.state(key) == "open"


async def test_redis_half_open_probe_slot_is_shared(redis: Redis, key: str) -> None:
    """Over Redis one instance holds the probe, the other fails fast, and two successes close it."""
    policy = BreakerPolicy(failure_threshold=1, success_threshold=2, cool_down_seconds=0.05)
    first = Breaker(RedisBreakerStore(redis, policy))
    second = Breaker(RedisBreakerStore(redis, policy))
    await fail(first, key, 1)
    await asyncio.sleep(0.1)
    slow_probe = HeldProbe()
    probe = asyncio.create_task(first.call(key, "acme", slow_probe))
    await slow_probe.started.wait()
    with pytest.raises(CircuitOpen):
        await second.call(key, "acme", Upstream())
    slow_probe.release.set()
    assert await probe == "probed"
    assert await second.call(key, "acme", Upstream()) == "ok"
    assert await first.state(key) == "closed"


async def test_redis_failed_probe_reopens_for_everyone(redis: Redis, key: str) -> None:
    """A probe failing on one instance re-opens the circuit for the other as well."""
    policy = BreakerPolicy(failure_threshold=1, success_threshold=1, cool_down_seconds=0.05)
    first = Breaker(RedisBreakerStore(redis, policy))
    second = Breaker(RedisBreakerStore(redis, POLICY))
    await fail(first, key, 1)
    await asyncio.sleep(0.1)
    await fail(first, key, 1)
    assert await second.state(key) == "open"


async def test_redis_down_falls_back_to_local_state(
    dead_redis: Redis, clock: FakeClock, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Without Redis calls still pass, the breaker still opens locally, and one warning is logged."""
    breaker = Breaker(RedisBreakerStore(dead_redis, POLICY, fallback=MemoryBreakerStore(POLICY, clock)))
    with caplog.at_level(logging.WARNING, logger="altslot.upstream.breaker"):
        assert await breaker.call(key, "acme", Upstream()) == "ok"
        await fail(breaker, key, 3)
        with pytest.raises(CircuitOpen):
            await breaker.call(key, "acme", Upstream())
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1


async def test_an_instance_obeying_a_shared_open_breaker_reports_it_open(redis: Redis, key: str) -> None:
    """The gauge follows what an instance obeys: B, refused by A's open circuit, emits open, then closed."""
    policy = BreakerPolicy(failure_threshold=1, success_threshold=1, cool_down_seconds=30.0)
    seen: list[Event] = []
    events = Events()
    events.subscribe(seen.append)
    first = Breaker(RedisBreakerStore(redis, policy))
    second = Breaker(RedisBreakerStore(redis, policy), events=events)
    await fail(first, key, 1)
    for _ in range(2):
        with pytest.raises(CircuitOpen):
            await second.call(key, "acme", Upstream())
    assert seen == [BreakerTransition("acme", "open", caused=False)]  # shown, but counted by A alone
    for name in ("open", "tripped"):  # another instance's probe closed it meanwhile
        await redis.delete(f"altslot:{{{key}}}:breaker:{name}")
    assert await second.call(key, "acme", Upstream()) == "ok"
    assert seen == [BreakerTransition("acme", "open", caused=False), BreakerTransition("acme", "closed", caused=False)]


async def test_redis_outage_runs_the_breaker_locally_and_is_logged_when_it_starts_and_ends(
    private_redis: PrivateRedis, clock: FakeClock, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis killed: calls pass and the circuit opens in memory; back one window later: shared again, 2 lines."""
    link = connect_redis(private_redis.url)
    health = RedisHealth(monotonic=clock)
    store = RedisBreakerStore(link.client, POLICY, fallback=MemoryBreakerStore(POLICY, clock), health=health)
    breaker = Breaker(store)
    try:
        with caplog.at_level(logging.WARNING):
            await fail(breaker, key, 2)  # counted in Redis
            assert int(await link.client.get(f"altslot:{{{key}}}:breaker:failures") or 0) == 2
            private_redis.stop()
            assert await breaker.call(key, "acme", Upstream()) == "ok"
            await fail(breaker, key, 3)
            with pytest.raises(CircuitOpen):
                await breaker.call(key, "acme", Upstream())
            private_redis.start()  # empty: the shared circuit is closed
            clock.advance(health.window)
            assert await store.state(key) == "closed"
            await fail(breaker, key, 1)
            assert int(await link.client.get(f"altslot:{{{key}}}:breaker:failures") or 0) == 1
    finally:
        await link.aclose()
    assert_one_outage_logged(caplog)
