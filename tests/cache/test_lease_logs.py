"""D11: a 503 spent waiting for another instance's lease holder says so in the log, never blames Cal.com.

Only APIs that existed before the fix are used here, so this test fails on 1cbb896 by its assertion.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest

from altslot.api.schemas import AlternativesRequest
from altslot.availability.days import DaysQuery
from altslot.search.answers import Unavailable
from altslot.shared.keys import lease_key
from tests.support.availability import runtime_for, simulator, slot_calls
from tests.support.world import EVENT, Clock

ORPHAN_MS = 60_000  # far beyond the deadline: only the test frees these leases


@pytest.mark.anyio
async def test_a_deadline_spent_on_a_silent_lease_holder_is_logged_as_such(
    redis_url: str, unique: str, caplog: pytest.LogCaptureFixture
) -> None:
    """D11: a 503 while waiting for another instance's lease holder never blames Cal.com in the log."""
    with simulator() as sim:
        async with runtime_for(sim, unique, Clock(), redis_url=redis_url) as runtime:
            tenant = runtime.tenants.get(unique)
            assert tenant is not None and runtime.redis is not None
            # Every day a search might need, both for the event type's own length (0) and for 30 minutes.
            first, last = date(2025, 9, 22), date(2025, 10, 31)
            wide = [DaysQuery.of(tenant, EVENT, first, last, m) for m in (0, 30)]
            keys = [lease_key(k) for q in wide for k in q.day_keys()]
            for key in keys:
                await runtime.redis.set(key, "a-dead-instance", px=ORPHAN_MS)
            for query in wide:  # a background refresh waits on those leases (it has no deadline of its own)
                await runtime.availability.refresh(query)
            body = AlternativesRequest.model_validate(
                {"event_type_id": EVENT, "desired_start": "2025-09-30T14:00", "deadline_ms": 200}
            )
            with caplog.at_level(logging.WARNING, logger="altslot.search"):
                answer = await runtime.searcher.search(tenant, body.wish())
            calls_meanwhile = slot_calls(sim)
            await runtime.redis.delete(*keys)  # the holder "returns": the refresh then fetches and ends
        assert isinstance(answer, Unavailable)
        assert calls_meanwhile == 0
        text = caplog.text
        assert "lease holder did not deliver" in text
        assert "upstream unavailable" not in text
