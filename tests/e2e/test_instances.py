"""Several altslot processes on one Redis, and stale-while-revalidate over HTTP."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from altslot.serving import start_in_thread
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data
from tests.conftest import altslot_process, free_port
from tests.e2e.world import EVENT, NOW, TOKEN, Clock, running, salon_data


def service_process(config: Path) -> AbstractContextManager[str]:
    """``altslot serve`` in its own process; yields its base URL once it is healthy."""
    port = free_port()
    args = ["serve", "--config", str(config), "--port", str(port)]
    return altslot_process(args, port, config.with_suffix(f".{port}.log"))


def next_tuesday() -> str:
    today = datetime.now(UTC).date()
    return (today + timedelta(days=(1 - today.weekday()) % 7 or 7)).isoformat()


def test_two_processes_on_one_redis_share_a_cold_fetch(tmp_path: Path, shared_redis: str, unique: str) -> None:
    """100 concurrent cold searches split across two processes on one Redis (node or cluster): at most 2 calls.

    One lease holder fetches for both; a second call is allowed because a waiter whose holder is still
    silent 1 s before its deadline fetches itself (a loaded machine can slow the simulator that far).
    """
    data = salon_data(now=None)
    with start_in_thread(create_sim(parse_data(data), latency_ms=(800, 800))) as sim:
        config = tmp_path / "altslot.toml"
        config.write_text(
            f'[calcom]\nbase_url = "{sim.url}"\n[cache]\nbackend = "redis"\nredis_url = "{shared_redis}"\n'
            f'redis_required = true\n[tenants.{unique}]\ntokens = ["{TOKEN}"]\n'
            f'calcom_api_key = "cal_test_salon"\ntime_zone = "Europe/Berlin"\nevent_types = [{EVENT}]\n'
        )
        with service_process(config) as a, service_process(config) as b:
            body = {"event_type_id": EVENT, "desired_start": f"{next_tuesday()}T14:00"}
            headers = {"Authorization": f"Bearer {TOKEN}"}

            def search(i: int) -> tuple[int, str]:
                url = f"{a if i % 2 else b}/api/appointments/alternatives"
                response = httpx.post(url, json=body, headers=headers, timeout=30)
                return response.status_code, response.text[:300]

            with ThreadPoolExecutor(max_workers=100) as pool:
                statuses = list(pool.map(search, range(100)))
        stats = httpx.get(f"{sim.url}/_sim/stats").json()
    assert [s for s, _ in statuses] == [200] * 100, [t for s, t in statuses if s != 200][:3]
    assert stats["requests"]["GET /v2/slots"] <= 2, stats


def test_stale_entry_answers_at_once_then_refreshes() -> None:
    """Past fresh_ttl a search answers from the stale day without waiting; after the refresh it is fresh."""
    clock = Clock()
    with running(salon_data(), clock=clock) as world:
        assert world.search(desired_start="2025-09-30T14:00").json()["freshness"]["stale"] is False
        world.http.post(f"{world.sims[0].url}/_sim/faults", json={"mode": "ok", "latency_ms": 2000})
        clock.now = NOW + timedelta(seconds=90)
        stale = world.search(desired_start="2025-09-30T14:00").json()
        assert stale["freshness"]["stale"] is True
        assert stale["search"]["upstream_calls"] == 0
        assert stale["search"]["timeout_hit"] is False
        assert stale["search"]["degraded"] is None
        deadline = time.monotonic() + 15
        while world.slot_calls() < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2.5)  # the refresh is in flight for the injected 2 s
        fresh = world.search(desired_start="2025-09-30T14:00").json()
        assert fresh["freshness"]["stale"] is False
        assert fresh["search"]["upstream_calls"] == 0
        assert world.slot_calls() == 2
