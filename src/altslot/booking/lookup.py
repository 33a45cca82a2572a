"""Cal.com as the source of truth about bookings: who owns a uid, and whether a lost create went through.

Both ask ``GET /v2/bookings`` with the tenant's own API key, which Cal.com scopes to the key's account,
so the answer holds across instances and restarts and for bookings made outside altslot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from altslot.booking.idempotency import METADATA_KEY
from altslot.calcom.client import Booking
from altslot.calcom.errors import NotFound, Unauthorized
from altslot.errors import UnknownBooking
from altslot.types import Tenant
from altslot.upstream.gateway import Upstream

_LONGEST_BOOKING = timedelta(days=1)


class BookingLookup:
    """Reads bookings back from Cal.com through the guarded upstream (retried: reading is idempotent)."""

    def __init__(self, upstream: Upstream, budget: float) -> None:
        self._upstream = upstream
        self._budget = budget

    async def owned(self, tenant: Tenant, uid: str) -> Booking:
        """The booking ``uid`` when the tenant's account has it and its event type is the tenant's.

        Raises ``UnknownBooking`` otherwise; Cal.com errors (down, slow) pass through.
        """
        try:
            found = await self._upstream.call(
                tenant.account, "GET /v2/bookings", lambda c: c.list_bookings(booking_uid=uid, take=10), self._budget
            )
        except NotFound as exc:
            raise UnknownBooking from exc
        except Unauthorized as exc:
            if exc.status == 403:  # the key may not see it: not the tenant's
                raise UnknownBooking from exc
            raise
        for booking in found:
            if booking.uid == uid and booking.event_type_id is not None and tenant.owns(booking.event_type_id):
                return booking
        raise UnknownBooking

    async def made_with(self, tenant: Tenant, event_type_id: int, start: datetime, token: str) -> Booking | None:
        """The booking a create with this idempotency token made at ``start``, or None when there is none."""
        found = await self._upstream.call(
            tenant.account,
            "GET /v2/bookings",
            lambda c: c.list_bookings(
                event_type_id=event_type_id, after_start=start, before_end=start + _LONGEST_BOOKING, take=100
            ),
            self._budget,
        )
        for booking in found:
            if booking.start == start and booking.metadata.get(METADATA_KEY) == token:
                return booking
        return None
