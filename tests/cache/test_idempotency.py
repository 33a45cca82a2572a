"""Idempotency records: a pending one lapses after the booking's own deadline, a finished one after 24 h."""

from __future__ import annotations

import pytest

from altslot.booking.idempotency import DONE_TTL, IdempotencyStore
from altslot.errors import IdempotencyConflict
from altslot.shared.kv import MemoryKeyValue
from tests.support.clocks import FakeClock

pytestmark = pytest.mark.anyio
PENDING_TTL = 25.0


@pytest.fixture
def anyio_backend() -> str:
    """Run on asyncio (the service's loop)."""
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    """A fresh clock."""
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> IdempotencyStore:
    """A store on memory whose waits for a running request give up at once."""
    return IdempotencyStore(MemoryKeyValue(monotonic=clock), pending_ttl=PENDING_TTL, pending_wait=0.0)


async def test_pending_record_lapses_after_the_booking_deadline(store: IdempotencyStore, clock: FakeClock) -> None:
    """A request that died between claim and completion blocks its key only until its deadline plus margin."""
    first = await store.claim("salon", "key", "body")
    assert first.booking is None
    clock.advance(PENDING_TTL - 1)
    with pytest.raises(IdempotencyConflict) as running:
        await store.claim("salon", "key", "body")
    assert running.value.in_progress
    clock.advance(2)
    again = await store.claim("salon", "key", "body")
    assert again.booking is None
    assert not again.uncertain


async def test_finished_booking_is_replayed_for_a_day(store: IdempotencyStore, clock: FakeClock) -> None:
    """A confirmed booking answers every retry for 24 h, then the key is free again."""
    claim = await store.claim("salon", "key", "body")
    await store.finish(claim, {"uid": "b1"})
    clock.advance(DONE_TTL - 60)
    assert (await store.claim("salon", "key", "body")).booking == {"uid": "b1"}
    with pytest.raises(IdempotencyConflict) as other_body:
        await store.claim("salon", "key", "another body")
    assert not other_body.value.in_progress
    clock.advance(120)
    assert (await store.claim("salon", "key", "body")).booking is None


async def test_unsettled_record_makes_the_next_request_ask_cal_com(store: IdempotencyStore) -> None:
    """After a lost answer nobody could look up, the key's next request is told to check Cal.com first."""
    claim = await store.claim("salon", "key", "body")
    await store.unsettled(claim)
    retry = await store.claim("salon", "key", "body")
    assert retry.uncertain
    assert retry.token == claim.token
