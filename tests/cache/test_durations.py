"""The registry of explicit search lengths that bookings and holds must update too (D14)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from altslot.availability.durations import MAX_LENGTHS, Durations
from altslot.shared.keys import durations_key
from altslot.shared.kv import MemoryKeyValue
from altslot.shell.config import Settings
from altslot.shell.tenants import build_tenant
from altslot.types import Tenant
from tests.support.clocks import FakeClock
from tests.support.world import EVENT, tenant_settings

pytestmark = pytest.mark.anyio
MOMENT = datetime(2025, 9, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    """Run on asyncio (the service's loop)."""
    return "asyncio"


@pytest.fixture
def tenant() -> Tenant:
    """The salon: one event type without a configured length (cached under length 0)."""
    return build_tenant("salon", tenant_settings("t", "k"), Settings(), {})


async def test_noted_lengths_are_shared_and_bounded(tenant: Tenant) -> None:
    """Lengths noted on one instance are seen by another; only the most recent MAX_LENGTHS are kept."""
    kv = MemoryKeyValue()
    for minutes in range(1, MAX_LENGTHS + 9):
        await Durations(kv, 960).note(tenant, EVENT, minutes)
    keys = await Durations(kv, 960).day_keys(tenant, MOMENT)
    lengths = [k.duration_minutes for k in keys]
    assert lengths[0] == 0
    assert lengths[1:] == list(range(9, MAX_LENGTHS + 9))
    assert {k.day for k in keys} == {MOMENT.date()}


async def test_a_search_notes_its_length_once_per_renewal(tenant: Tenant) -> None:
    """The warm path touches the store once per renewal interval, not on every search."""
    clock = FakeClock()
    kv = MemoryKeyValue(monotonic=clock)
    durations = Durations(kv, 960, renew_after=60, monotonic=clock)
    await durations.note(tenant, EVENT, 45)
    await kv.delete(durations_key("salon", EVENT))  # someone else's write is lost
    await durations.note(tenant, EVENT, 45)
    assert [k.duration_minutes for k in await durations.day_keys(tenant, MOMENT)] == [0]
    clock.advance(61)
    await durations.note(tenant, EVENT, 45)
    assert [k.duration_minutes for k in await durations.day_keys(tenant, MOMENT)] == [0, 45]
