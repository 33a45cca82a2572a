"""Warming: ``altslot warm`` fills the cache with one call per event type; with Redis one instance warms."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from altslot.availability.warming import run_warmer, warm_once
from altslot.commands.cli import app
from altslot.shared.keys import WARMER_LEASE
from altslot.shell.config import CacheSettings, CalcomSettings, Settings
from altslot.shell.runtime import build_runtime
from tests.support.availability import simulator, slot_calls
from tests.support.world import NO_SEARCH_LOG, Clock, tenant_settings


def test_warm_command_reports_days_calls_and_time(tmp_path: Path) -> None:
    """``altslot warm`` fetches the next days (from the injected today) in one call per event type, and says so."""
    with simulator() as sim:
        config = tmp_path / "altslot.toml"
        config.write_text(
            f'[calcom]\nbase_url = "{sim.url}"\n[observability]\nsearch_log_url = ""\n'
            '[tenants.salon]\ntokens = ["t"]\ncalcom_api_key = "cal_test_salon"\ntime_zone = "Europe/Berlin"\n'
            "event_types = [1412903]\n"
        )
        result = CliRunner().invoke(app, ["warm", "--config", str(config), "--days", "10"], obj=Clock())
        assert result.exit_code == 0, result.output
        assert "10 of 10 days fetched for 1 event types in 1 upstream calls" in result.output
        assert slot_calls(sim) == 1


def test_warm_command_rejects_an_unknown_tenant(tmp_path: Path) -> None:
    """A tenant that is not in the config is one error line and exit code 2."""
    config = tmp_path / "altslot.toml"
    config.write_text('[tenants.salon]\ntokens = ["t"]\nevent_types = [1]\n')
    result = CliRunner().invoke(app, ["warm", "--config", str(config), "--tenant", "nope"])
    assert result.exit_code == 2
    assert "no tenant 'nope'" in result.output


@pytest.mark.anyio
async def test_warm_once_refreshes_only_what_would_turn_stale(unique: str) -> None:
    """A second pass within fresh_ttl fetches nothing; with a refresh margin it fetches again."""
    with simulator() as sim:
        settings = Settings(
            calcom=CalcomSettings(base_url=sim.url),
            tenants={unique: tenant_settings("t", "cal_test_salon")},
            observability=NO_SEARCH_LOG,
        )
        runtime = build_runtime(settings, clock=Clock(), env={})
        try:
            args = (list(runtime.tenants), runtime.availability, runtime.clock)
            first = await warm_once(*args, days=7)
            second = await warm_once(*args, days=7)
            third = await warm_once(*args, days=7, refresh_margin=60)
        finally:
            await runtime.aclose()
        assert (first.upstream_calls, second.upstream_calls, third.days_fetched) == (1, 0, 7)


@pytest.mark.anyio
async def test_only_one_instance_warms_per_interval(shared_redis: str, unique: str) -> None:
    """Two instances on one Redis (node or cluster) run the warmer: only one of them warms each interval."""
    with simulator() as sim:
        cache = CacheSettings(backend="redis", redis_url=shared_redis)
        settings = Settings(
            calcom=CalcomSettings(base_url=sim.url),
            cache=cache,
            tenants={unique: tenant_settings("t", "cal_test_salon")},
            observability=NO_SEARCH_LOG,
        )
        runtimes = [build_runtime(settings, clock=Clock(), env={}) for _ in range(2)]
        for r in runtimes:
            await r.start()
        redis = runtimes[0].redis
        assert redis is not None
        await redis.delete(WARMER_LEASE)
        turns = [asyncio.Event() for _ in runtimes]

        def after_turn(done: asyncio.Event) -> Callable[[float], Awaitable[None]]:
            async def sleep(seconds: float) -> None:
                done.set()  # this instance has had its turn (warmed, or found the lease taken)
                await asyncio.Event().wait()  # and would wait for the next interval

            return sleep

        tasks = [
            asyncio.create_task(
                run_warmer(
                    r.tenants,
                    r.availability,
                    r.clock,
                    days=7,
                    interval=30,
                    fresh_ttl=60,
                    redis=r.redis,
                    sleep=after_turn(done),
                    health=r.health,
                )
            )
            for r, done in zip(runtimes, turns, strict=True)
        ]
        try:
            await asyncio.gather(*(done.wait() for done in turns))
            assert slot_calls(sim) == 1
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await redis.delete(WARMER_LEASE)
            for r in runtimes:
                await r.aclose()
