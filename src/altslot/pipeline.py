"""The upstream side of every Cal.com call, composed in one place.

A search's availability passes these steps, outermost first:

1. cache            — ``availability``: fresh days from the day cache, stale days served while refreshed;
2. single-flight    — ``availability``: one fetch per day across the process and (with Redis) instances;
3. deadline         — ``availability``: the caller stops waiting; the shared fetch is never cancelled;
4. Cal.com client   — ``calcom.client``: one HTTP request, errors mapped onto the error tree.

``Upstream`` builds the fetch functions the availability layer calls, so searches, the warmer and the
booking path all reach Cal.com the same way.
"""

from __future__ import annotations

from datetime import datetime

from altslot.availability import FetchSlots
from altslot.calcom.client import CalcomClient, CalcomPool, DaySlots
from altslot.tenants import Tenant


class Upstream:
    """Cal.com access for every tenant: one client per tenant on shared connection pools."""

    def __init__(self, pool: CalcomPool) -> None:
        self._pool = pool

    def client(self, tenant: Tenant) -> CalcomClient:
        """The tenant's Cal.com client."""
        return self._pool.client(tenant.calcom_base_url, tenant.calcom_api_key)

    def slots(self, tenant: Tenant, event_type_id: int, duration: int | None) -> FetchSlots:
        """A fetch function for one event type (and duration) of one tenant, in the tenant's zone."""
        client = self.client(tenant)
        zone = tenant.policy.zone.key

        async def fetch(start: datetime, end: datetime) -> DaySlots:
            return await client.get_slots(event_type_id, start, end, zone, duration)

        return fetch
