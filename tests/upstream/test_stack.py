"""The one composition point of the upstream stack: settings become one guarded gateway."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from altslot.calcom.client import CalcomPool
from altslot.calcom.errors import ServerError
from altslot.calcom.wire import DaySlots
from altslot.types import Policy, Tenant, TenantId
from altslot.upstream import CircuitOpen, ResilienceSettings
from altslot.upstream.stack import build_upstream
from tests.support.clocks import FakeClock

START = datetime(2025, 9, 29, 7, 0, tzinfo=UTC)


@pytest.mark.anyio
async def test_built_stack_opens_the_breaker_before_the_transport(clock: FakeClock) -> None:
    """Past the configured failure threshold the circuit opens, and the next call never reaches Cal.com."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(500, json={"status": "error"})

    pool = CalcomPool(
        timeout=1.0,
        max_connections=1,
        slots_version="2024-09-04",
        bookings_version="2024-08-13",
        transport=httpx.MockTransport(answer),
    )
    settings = ResilienceSettings(failure_threshold=1, max_attempts=1)
    upstream = build_upstream(settings, pool, fetch_budget=1.0, clock=clock)
    policy = Policy(zone=ZoneInfo("UTC"), hours={0: (time(9), time(17))})
    tenant = Tenant(TenantId("acme"), "http://calcom.test", "key", "en", policy, {1: None}, None)

    async def fetch(start: datetime, end: datetime) -> DaySlots:
        return await upstream.get_slots(tenant.account, 1, start, end, "UTC", None)

    try:
        with pytest.raises(ServerError):
            await fetch(START, START + timedelta(days=1))
        with pytest.raises(CircuitOpen):
            await fetch(START, START + timedelta(days=1))
    finally:
        await pool.aclose()
    assert len(requests) == 1
