"""Holds: reserve the offered slots at Cal.com while the caller decides.

Each offer is reserved through ``POST /v2/slots/reservations``; an offer Cal.com refuses is dropped and
the next best takes its place. The holds of one answer form a group: booking one of them releases the
others and books through the chosen one (``reservedSlotUid``), so the slot cannot be lost in between.
Held slots are taken out of the shared cache at once, so other callers are not offered them.

``slotDuration`` goes only to event types the tenant marks ``variable_length``: Cal.com refuses it on
any other event type, even when it equals the length.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from altslot.availability import Availability
from altslot.cache.keys import tenant_key
from altslot.cache.kv import KeyValue
from altslot.calcom.client import CalcomClient
from altslot.calcom.errors import BadRequest, CalcomError
from altslot.core.models import Alternative
from altslot.pipeline import Upstream
from altslot.tenants import Tenant

log = logging.getLogger("altslot.holds")
_KEPT_TTL = 16 * 60.0  # longer than any hold (at most 15 minutes): Cal.com expires it before altslot forgets it


@dataclass(frozen=True, slots=True)
class Hold:
    """One reserved offer."""

    alternative: Alternative
    hold_id: str
    held_until: datetime


class Holds:
    """Places and releases groups of reservations for one answer at a time."""

    def __init__(self, upstream: Upstream, availability: Availability, kv: KeyValue) -> None:
        self._upstream = upstream
        self._availability = availability
        self._kv = kv

    async def place(
        self,
        tenant: Tenant,
        event_type_id: int,
        candidates: list[Alternative],
        want: int,
        minutes: int,
        duration: int | None,
    ) -> list[Hold]:
        """Hold up to ``want`` candidates, best first; refused ones are skipped."""
        if event_type_id not in tenant.variable_length:
            duration = None
        held: list[Hold] = []
        for alternative in candidates:
            if len(held) == want:
                break
            try:
                uid, until = await self._upstream.call(
                    tenant,
                    "POST /v2/slots/reservations",
                    _reserve(event_type_id, alternative.start, minutes, duration),
                    retry=False,
                )
            except BadRequest:
                continue  # taken or reserved meanwhile: the next best takes its place
            except CalcomError as exc:
                log.warning("holding offers for %s failed: %s", tenant.id, exc)
                break
            held.append(Hold(alternative, uid, until))
            await self._availability.occupy(tenant.day_keys(alternative.start), alternative.start, alternative.end)
        if held:
            group = uuid.uuid4().hex
            ttl = minutes * 60 + 60
            ids = [h.hold_id for h in held]
            await self._kv.put(tenant_key(tenant.id, f"holdgroup:{group}"), json.dumps(ids), ttl)
            for hold_id in ids:
                await self._kv.put(tenant_key(tenant.id, f"hold:{hold_id}"), group, ttl)
        return held

    async def release_group(self, tenant: Tenant, hold_id: str) -> int:
        """Release every hold placed together with ``hold_id`` (itself included); returns how many."""
        return await self._release(tenant, hold_id, keep=False)

    async def release_others(self, tenant: Tenant, hold_id: str) -> bool:
        """Release the holds placed with ``hold_id`` but keep that one; False when altslot does not know it."""
        if await self._kv.get(tenant_key(tenant.id, f"hold:{hold_id}")) is None:
            return False
        await self._release(tenant, hold_id, keep=True)
        return True

    async def forget(self, tenant: Tenant, hold_id: str) -> None:
        """Drop altslot's record of a hold Cal.com consumed (a booking made through it)."""
        group = await self._kv.get(tenant_key(tenant.id, f"hold:{hold_id}"))
        await self._kv.delete(tenant_key(tenant.id, f"hold:{hold_id}"))
        if group is not None:
            await self._kv.delete(tenant_key(tenant.id, f"holdgroup:{group}"))

    async def _release(self, tenant: Tenant, hold_id: str, *, keep: bool) -> int:
        group = await self._kv.get(tenant_key(tenant.id, f"hold:{hold_id}"))
        if group is None:
            return 0
        raw = await self._kv.get(tenant_key(tenant.id, f"holdgroup:{group}"))
        ids: list[str] = json.loads(raw) if raw else [hold_id]
        released = 0
        for uid in ids:
            if keep and uid == hold_id:
                continue
            try:
                await self._upstream.call(tenant, "DELETE /v2/slots/reservations", _release(uid), retry=False)
                released += 1
            except CalcomError as exc:  # an expired hold is already gone; nothing to undo
                log.info("releasing hold of %s: %s", tenant.id, exc)
            await self._kv.delete(tenant_key(tenant.id, f"hold:{uid}"))
        if keep:
            await self._kv.put(tenant_key(tenant.id, f"holdgroup:{group}"), json.dumps([hold_id]), _KEPT_TTL)
        else:
            await self._kv.delete(tenant_key(tenant.id, f"holdgroup:{group}"))
        return released


def _reserve(
    event_type_id: int, start: datetime, minutes: int, duration: int | None
) -> Callable[[CalcomClient], Awaitable[tuple[str, datetime]]]:
    return lambda client: client.reserve_slot(event_type_id, start, minutes, duration)


def _release(uid: str) -> Callable[[CalcomClient], Awaitable[None]]:
    return lambda client: client.release_slot(uid)
