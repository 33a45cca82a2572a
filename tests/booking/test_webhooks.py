"""``WebhookHandler.handle`` called with raw deliveries, against the simulator over loopback HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date

import pytest

from altslot.booking.webhooks import WebhookResult
from altslot.errors import BadPayload, BadSignature
from tests.e2e.test_booking import SECRET, signed, webhook_body
from tests.support.direct import Desk, desk

pytestmark = pytest.mark.anyio

TUESDAY = date(2025, 9, 30)
AT_15 = webhook_body("2025-09-30T13:00:00Z", "2025-09-30T13:30:00Z")
"""The delivery of a booking made for Tuesday 15:00–15:30 Berlin."""


def signature(body: bytes, secret: str = SECRET) -> str:
    """Cal.com's ``X-Cal-Signature-256`` of ``body``."""
    return signed(body, secret)["X-Cal-Signature-256"]


@pytest.fixture
async def hooked() -> AsyncIterator[Desk]:
    """The salon with a webhook secret, its Tuesday cached (one slots call, one finished fetch)."""
    async with desk(webhook_secret=SECRET) as salon:
        await salon.search("2025-09-30 14:00")
        yield salon


async def deliver(salon: Desk, body: bytes, signature: str | None) -> WebhookResult:
    """Hand one delivery to the runtime's webhook handler."""
    return await salon.runtime.webhooks.handle(salon.tenant, body, signature)


async def test_signed_booking_created_takes_the_slot_and_refreshes_the_day(hooked: Desk) -> None:
    """BOOKING_CREATED takes 15:00 out of the cache at once, then one background fetch brings Cal.com's day."""
    await hooked.book_outside("2025-09-30 15:00")
    assert await deliver(hooked, AT_15, signature(AT_15)) == WebhookResult("refreshed", days=1)
    assert "15:00" not in await hooked.times(TUESDAY)
    assert len(hooked.watch.fetches) == 1, "the refresh runs behind the handler's back"
    refresh = (await hooked.watch.fetched(2))[-1]
    assert (refresh.days, refresh.error) == (1, None)
    assert await hooked.calls("GET /v2/slots") == 2
    assert [t for t in await hooked.times(TUESDAY) if "14:30" <= t <= "15:30"] == ["14:30", "15:30"]


@pytest.mark.parametrize("wrong", [signature(AT_15, "whsec_wrong"), "", None], ids=["other-secret", "empty", "none"])
async def test_bad_signature_is_refused_and_changes_nothing(hooked: Desk, wrong: str | None) -> None:
    """A delivery not signed with the tenant's secret raises BadSignature: no slot taken, no fetch, not marked seen."""
    before = await hooked.times(TUESDAY)
    with pytest.raises(BadSignature):
        await deliver(hooked, AT_15, wrong)
    assert await hooked.times(TUESDAY) == before
    assert await hooked.calls("GET /v2/slots") == 1
    assert len(hooked.watch.fetches) == 1
    assert (await deliver(hooked, AT_15, signature(AT_15))).status == "refreshed"


async def test_replayed_delivery_is_a_duplicate_and_changes_nothing_twice(hooked: Desk) -> None:
    """The same delivery twice: the second is a duplicate that starts no fetch."""
    assert (await deliver(hooked, AT_15, signature(AT_15))).status == "refreshed"
    await hooked.watch.fetched(2)
    assert await deliver(hooked, AT_15, signature(AT_15)) == WebhookResult("duplicate")
    await hooked.runtime.availability.aclose()  # whatever the duplicate might have started has finished
    assert (len(hooked.watch.fetches), await hooked.calls("GET /v2/slots")) == (2, 2)


async def test_body_that_is_not_json_is_a_bad_payload(hooked: Desk) -> None:
    """A signed body that is not JSON raises BadPayload on the body."""
    with pytest.raises(BadPayload) as raised:
        await deliver(hooked, b"nope", signature(b"nope"))
    assert (raised.value.loc, raised.value.message) == (("body",), "body is not JSON")


async def test_unhandled_trigger_is_ignored(hooked: Desk) -> None:
    """A trigger altslot does not act on (MEETING_ENDED) is ignored: nothing taken, nothing fetched."""
    body = json.dumps({"triggerEvent": "MEETING_ENDED", "payload": {"startTime": "2025-09-30T13:00:00Z"}}).encode()
    before = await hooked.times(TUESDAY)
    assert await deliver(hooked, body, signature(body)) == WebhookResult("ignored")
    await hooked.runtime.availability.aclose()
    assert await hooked.times(TUESDAY) == before
    assert len(hooked.watch.fetches) == 1
