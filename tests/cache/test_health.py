"""RedisHealth: one warning per outage that keeps the error's message; guarded calls fall back to memory."""

from __future__ import annotations

import logging

import pytest
from redis.asyncio import Redis
from redis.exceptions import MovedError

from altslot.shared.health import RedisHealth
from tests.support.clocks import FakeClock

UNREACHABLE = "redis://127.0.0.1:1/0"


def test_an_outage_is_logged_once_with_the_message_and_kept_for_readyz(caplog: pytest.LogCaptureFixture) -> None:
    """redis-py's repr drops a MOVED's slot and node; the log line and ``problem`` keep them."""
    clock = FakeClock()
    health = RedisHealth(retry_after=5.0, monotonic=clock)
    with caplog.at_level(logging.WARNING, logger="altslot.redis"):
        health.failed(MovedError("9284 127.0.0.1:22002"))
        health.failed(MovedError("9284 127.0.0.1:22002"))
        assert not health.usable
        clock.advance(5.0)
        assert health.usable
        health.ok()
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "redis unavailable, working locally: MovedError: 9284 127.0.0.1:22002",
        "redis is back; sharing state again",
    ]
    assert health.problem is None


@pytest.fixture
def anyio_backend() -> str:
    """Run the async tests on asyncio (the service's loop)."""
    return "asyncio"


async def _local() -> str:
    return "local"


@pytest.mark.anyio
async def test_guard_skips_redis_during_the_back_off_unless_told_to_try(redis_url: str) -> None:
    """During the back-off ``guard`` answers locally; ``while_down`` asks Redis, whose answer ends the outage."""
    health = RedisHealth(monotonic=FakeClock())
    live = Redis.from_url(redis_url)
    asked: list[str] = []

    async def shared() -> str:
        asked.append("redis")
        await live.ping()
        return "shared"

    try:
        health.failed("a blip")
        assert await health.guard(shared, _local) == "local"
        assert asked == []
        assert await health.guard(shared, _local, while_down=True) == "shared"
        assert (asked, health.down, health.usable) == (["redis"], False, True)
    finally:
        await live.aclose()


@pytest.mark.anyio
async def test_a_failing_guarded_call_falls_back_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    """An unreachable Redis: the fallback answers, and repeated failures in one outage log one line."""
    health = RedisHealth(monotonic=FakeClock())
    dead = Redis.from_url(UNREACHABLE, socket_connect_timeout=0.5)

    async def shared() -> str:
        await dead.ping()
        return "shared"

    try:
        with caplog.at_level(logging.WARNING, logger="altslot.redis"):
            assert await health.guard(shared, _local) == "local"
            assert await health.guard(shared, _local, while_down=True) == "local"
    finally:
        await dead.aclose()
    assert len(caplog.records) == 1
    assert not health.usable


@pytest.mark.anyio
async def test_best_effort_records_a_failure_and_leaves_the_outage_to_guarded_calls(redis_url: str) -> None:
    """A failing clean-up is swallowed and recorded; one that succeeds during the back-off ends nothing."""
    health = RedisHealth(monotonic=FakeClock())
    dead = Redis.from_url(UNREACHABLE, socket_connect_timeout=0.5)
    live = Redis.from_url(redis_url)
    try:
        with health.best_effort():
            await dead.ping()
        assert health.down
        with health.best_effort():
            await live.ping()
        assert (health.down, health.usable) == (True, False)
        with pytest.raises(ValueError, match="not a Redis problem"), health.best_effort():
            raise ValueError("not a Redis problem")
    finally:
        await dead.aclose()
        await live.aclose()
