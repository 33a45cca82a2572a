"""Which slot lengths of each event type have cached days, so a booking can update every one of them.

A search with an explicit ``duration_minutes`` caches its days under that length. A booking or a hold
through altslot must take the slot out of those days as well, on every instance, so the lengths in use
are kept per tenant and event type in the key-value store (Redis when configured). Searches note their
length at most once per ``renew_after`` seconds, which keeps the warm path free of store round trips.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime

from altslot.shared.keys import durations_key
from altslot.shared.kv import KeyValue
from altslot.types import DayKey, Tenant

RENEW_AFTER = 60.0
MAX_LENGTHS = 32
"""Lengths kept per event type (the most recently searched): bounds what one booking has to update."""


class Durations:
    """The explicit search lengths per (tenant, event type), shared through the key-value store."""

    def __init__(
        self,
        kv: KeyValue,
        keep_seconds: float,
        *,
        renew_after: float = RENEW_AFTER,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kv = kv
        # Outlive the longest-kept day entry, including the gap between two renewals.
        self._ttl = keep_seconds + 2 * renew_after
        self._renew_after = renew_after
        self._monotonic = monotonic
        self._noted: dict[tuple[str, int, int], float] = {}

    async def note(self, tenant: Tenant, event_type_id: int, minutes: int) -> None:
        """Record that days of this length are being cached (a no-op for the configured length)."""
        if not minutes or minutes == (tenant.event_types.get(event_type_id) or 0):
            return
        memo = (tenant.id, event_type_id, minutes)
        now = self._monotonic()
        if now - self._noted.get(memo, -self._renew_after) < self._renew_after:
            return
        known = [m for m in await self._known(tenant, event_type_id) if m != minutes]
        known = [*known, minutes][-MAX_LENGTHS:]
        await self._kv.put(_key(tenant, event_type_id), json.dumps(known), self._ttl)
        self._noted[memo] = now

    async def day_keys(self, tenant: Tenant, moment: datetime) -> list[DayKey]:
        """Every cache key of ``moment``'s local day: each event type at each length in use."""
        extra = {et: await self._known(tenant, et) for et in tenant.event_types}
        return tenant.day_keys(moment, extra)

    async def _known(self, tenant: Tenant, event_type_id: int) -> list[int]:
        """The recorded lengths, oldest first."""
        raw = await self._kv.get(_key(tenant, event_type_id))
        try:
            values = json.loads(raw) if raw else []
        except ValueError:
            values = []
        return [v for v in values if isinstance(v, int)] if isinstance(values, list) else []


def _key(tenant: Tenant, event_type_id: int) -> str:
    return durations_key(tenant.id, event_type_id)
