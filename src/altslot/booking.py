"""Booking, cancelling and rescheduling through Cal.com, keeping the cache coherent.

* A booking is checked against the tenant's calendar before any upstream call (past, closed, outside
  hours are the caller's error, 422).
* ``Idempotency-Key``: the first request with a key books; a retry with the same key and body gets the
  same answer and never books twice; the same key with another body is refused. Keys live 24 h in the
  key-value store (Redis when configured, so this holds across instances).
* When Cal.com says the slot is gone, the day is re-fetched at once (bypassing the cache) and the caller
  gets alternatives from it plus the cached rest of the horizon (409).
* A successful change updates only the day(s) it touches: a new booking is taken out of the cached days
  at once (no upstream call), a freed slot is refreshed from Cal.com in the background.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from altslot.availability import Availability, DaysQuery
from altslot.cache.keys import tenant_key
from altslot.cache.kv import KeyValue
from altslot.calcom.client import Booking, CalcomClient
from altslot.calcom.errors import BadRequest, CalcomError, NotFound
from altslot.core.calendar import within_hours
from altslot.holds import Holds
from altslot.pipeline import Upstream
from altslot.schemas import (
    AlternativesRequest,
    BookingOut,
    BookingRequest,
    RescheduleRequest,
    SlotTakenResponse,
)
from altslot.service import MAX_FUTURE, InvalidField, NotOwned, Searcher, Unavailable
from altslot.tenants import Tenant
from altslot.types import Clock, DayKey, EventTypeId

IDEMPOTENCY_TTL = 24 * 3600.0
PENDING_WAIT_SECONDS = 10.0
# Cal.com's texts for "this start cannot be booked" (API.md §2.1); other 400s are the request's fault.
_SLOT_GONE = re.compile(r"not available|can't be booked|already has booking|no_available_users", re.IGNORECASE)


class UnknownBooking(Exception):
    """Cal.com does not know the booking uid (answered as 404)."""


class IdempotencyConflict(Exception):
    """The key was used before with another body (422), or its first request is still running (409)."""

    def __init__(self, message: str, *, in_progress: bool = False) -> None:
        super().__init__(message)
        self.in_progress = in_progress


@dataclass(frozen=True)
class Created:
    """201: the booking Cal.com confirmed."""

    booking: BookingOut


@dataclass(frozen=True)
class SlotTaken:
    """409: the slot is gone, with alternatives from a fresh look at that day."""

    body: SlotTakenResponse


Outcome = Created | SlotTaken | Unavailable


def _out(booking: Booking, zone: ZoneInfo, rescheduled_from: str | None = None) -> BookingOut:
    return BookingOut(
        uid=booking.uid,
        start=booking.start.astimezone(zone),
        end=booking.end.astimezone(zone),
        status=booking.status,
        rescheduled_from=rescheduled_from,
    )


class Booker:
    """The booking path for every tenant."""

    def __init__(
        self,
        availability: Availability,
        upstream: Upstream,
        searcher: Searcher,
        holds: Holds,
        kv: KeyValue,
        clock: Clock,
        deadline_seconds: float,
    ) -> None:
        self._availability = availability
        self._upstream = upstream
        self._searcher = searcher
        self._holds = holds
        self._kv = kv
        self._clock = clock
        self._deadline = deadline_seconds

    def _check_start(self, tenant: Tenant, start: datetime, zone: str | None, minutes: int | None) -> datetime:
        """The start as an instant, or 422 when it is past or outside opening hours (no upstream call)."""
        moment = start if start.tzinfo else start.replace(tzinfo=ZoneInfo(zone) if zone else tenant.policy.zone)
        if moment <= self._clock():
            raise InvalidField("start", "lies in the past")
        if moment > self._clock() + MAX_FUTURE:
            raise InvalidField("start", "lies more than a year ahead")
        if not within_hours(moment, timedelta(minutes=minutes or 1), tenant.policy):
            raise InvalidField("start", "is outside the business's opening hours")
        return moment

    async def _check_grid(self, tenant: Tenant, event_type_id: int, start: datetime) -> None:
        """422 for a start off the event type's slot grid (e.g. 10:07 where slots start every half hour).

        Judged from the cached day when there is one; a taken slot is Cal.com's to report (409).
        """
        day = start.astimezone(tenant.policy.zone).date()
        key = DayKey(tenant.id, EventTypeId(event_type_id), tenant.event_types[event_type_id] or 0, day)
        entry = (await self._availability.cached([key])).get(key)
        if entry is None or not entry.starts:
            return
        minutes = {s.astimezone(tenant.policy.zone).minute for s in entry.starts}
        if start.astimezone(tenant.policy.zone).minute not in minutes or start.second or start.microsecond:
            raise InvalidField("start", "is not a slot start of this event type")

    async def book(self, tenant: Tenant, body: BookingRequest, idempotency_key: str) -> Outcome:
        """Book once per idempotency key; 409 alternatives when Cal.com says the slot is gone."""
        if not tenant.owns(body.event_type_id):
            raise NotOwned(body.event_type_id)
        start = self._check_start(tenant, body.start, body.time_zone, tenant.event_types[body.event_type_id])
        await self._check_grid(tenant, body.event_type_id, start)
        digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        key = tenant_key(tenant.id, f"idem:{hashlib.sha256(idempotency_key.encode()).hexdigest()}")
        replay = await self._claim(key, digest)
        if replay is not None:
            return Created(BookingOut.model_validate(replay))
        try:
            outcome = await self._create(tenant, body, start)
        except BaseException:
            await self._kv.delete(key)
            raise
        if isinstance(outcome, Created):
            done = {"hash": digest, "state": "done", "booking": outcome.booking.model_dump(mode="json")}
            await self._kv.put(key, json.dumps(done), IDEMPOTENCY_TTL)
        else:
            await self._kv.delete(key)  # nothing was booked: a retry may try again
        return outcome

    async def _claim(self, key: str, digest: str) -> dict[str, Any] | None:
        """Take the key for this request, or return the booking a previous request made with it."""
        pending = json.dumps({"hash": digest, "state": "pending"})
        waited = 0.0
        while not await self._kv.put_new(key, pending, IDEMPOTENCY_TTL):
            raw = await self._kv.get(key)
            if raw is None:
                continue  # released between our two calls: try to take it again
            record = json.loads(raw)
            if record["hash"] != digest:
                raise IdempotencyConflict("Idempotency-Key was already used with a different request body")
            if record["state"] == "done":
                booking: dict[str, Any] = record["booking"]
                return booking
            if waited >= PENDING_WAIT_SECONDS:
                raise IdempotencyConflict("a request with this Idempotency-Key is still running", in_progress=True)
            await asyncio.sleep(0.05)
            waited += 0.05
        return None

    async def _create(self, tenant: Tenant, body: BookingRequest, start: datetime) -> Outcome:
        if body.hold_id:
            await self._holds.release_group(tenant, body.hold_id)
        attendee = {
            "name": body.attendee.name,
            "timeZone": body.attendee.time_zone,
            "language": body.attendee.language,
            **({"email": body.attendee.email} if body.attendee.email else {}),
            **({"phoneNumber": body.attendee.phone} if body.attendee.phone else {}),
        }
        length = tenant.event_types.get(body.event_type_id)

        def create(client: CalcomClient) -> Awaitable[Booking]:
            return client.create_booking(
                body.event_type_id, start, attendee, length_minutes=None, metadata=body.metadata
            )

        try:
            booking = await self._upstream.call(tenant, "POST /v2/bookings", create, retry=False)
        except BadRequest as exc:
            if not _SLOT_GONE.search(exc.message):
                raise InvalidField("start", exc.message) from exc
            return await self._slot_taken(tenant, body.event_type_id, start, body.attendee.language, length)
        except CalcomError as exc:
            return await self._unavailable(tenant, exc, body.attendee.language)
        await self._availability.occupy(tenant.day_keys(booking.start), booking.start, booking.end)
        return Created(_out(booking, tenant.policy.zone))

    async def _slot_taken(
        self, tenant: Tenant, event_type_id: int, start: datetime, language: str, length: int | None
    ) -> SlotTaken | Unavailable:
        """Re-fetch the day from Cal.com, then answer with alternatives around the wanted start."""
        day = start.astimezone(tenant.policy.zone).date()
        query = DaysQuery(tenant.id, EventTypeId(event_type_id), length or 0, tenant.policy.zone, day, day)
        fetch = self._upstream.slots(tenant, event_type_id, None)
        await self._availability.refresh(query, fetch, wait_seconds=self._deadline)
        request = AlternativesRequest(
            event_type_id=event_type_id,
            desired_start=start,
            language="en" if language == "en" else "de",
        )
        answer = await self._searcher.search(tenant, request)
        if isinstance(answer, Unavailable):
            return answer
        return SlotTaken(SlotTakenResponse(alternatives=answer.alternatives, response_text=answer.response_text))

    async def _unavailable(self, tenant: Tenant, error: CalcomError, language: str) -> Unavailable:
        return self._searcher.unavailable(tenant, [error], "en" if language == "en" else "de")

    async def cancel(self, tenant: Tenant, uid: str, reason: str | None) -> BookingOut | Unavailable:
        """Cancel a booking and refresh the day it frees."""

        def cancel(client: CalcomClient) -> Awaitable[Booking]:
            return client.cancel_booking(uid, reason)

        try:
            booking = await self._change(tenant, "POST /v2/bookings/{uid}/cancel", cancel)
        except CalcomError as exc:
            return await self._unavailable(tenant, exc, tenant.language)
        await refresh_day(self._availability, self._upstream, tenant, booking.start)
        return _out(booking, tenant.policy.zone)

    async def reschedule(
        self, tenant: Tenant, uid: str, body: RescheduleRequest
    ) -> BookingOut | SlotTaken | Unavailable:
        """Move a booking: the new day is updated at once, the old one refreshed; 409 when the slot is gone.

        Cal.com's reschedule call does not name the event type, so the 409 alternatives are those of the
        tenant's first event type.
        """
        event_type_id = next(iter(tenant.event_types))
        start = self._check_start(tenant, body.start, body.time_zone, None)

        def move(client: CalcomClient) -> Awaitable[Booking]:
            return client.reschedule_booking(uid, start, body.reason)

        try:
            booking = await self._change(tenant, "POST /v2/bookings/{uid}/reschedule", move)
        except BadRequest as exc:
            if not _SLOT_GONE.search(exc.message):
                raise InvalidField("uid", exc.message) from exc
            length = tenant.event_types.get(event_type_id)
            return await self._slot_taken(tenant, event_type_id, start, tenant.language, length)
        except CalcomError as exc:
            return await self._unavailable(tenant, exc, tenant.language)
        await self._availability.occupy(tenant.day_keys(booking.start), booking.start, booking.end)
        return _out(booking, tenant.policy.zone, rescheduled_from=uid)

    async def _change(self, tenant: Tenant, endpoint: str, op: Callable[[CalcomClient], Awaitable[Booking]]) -> Booking:
        try:
            return await self._upstream.call(tenant, endpoint, op, retry=False)
        except NotFound as exc:
            raise UnknownBooking(str(exc)) from exc


async def refresh_day(availability: Availability, upstream: Upstream, tenant: Tenant, moment: datetime) -> int:
    """Re-fetch ``moment``'s local day, in the background, for each event type that has it cached.

    Days nobody has cached need nothing: the next search fetches them fresh anyway. Returns how many.
    """
    day = moment.astimezone(tenant.policy.zone).date()
    cached = await availability.cached(tenant.day_keys(moment))
    for key in cached:
        query = DaysQuery(tenant.id, key.event_type_id, key.duration_minutes, tenant.policy.zone, day, day)
        fetch = upstream.slots(tenant, key.event_type_id, key.duration_minutes or None)
        availability.refresh_soon(query, fetch)
    return len(cached)
