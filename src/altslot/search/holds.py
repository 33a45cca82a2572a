"""Holds: reserve the offered slots at Cal.com while the caller decides.

Each slot is reserved through ``POST /v2/slots/reservations``; the reservations of one answer go out in
parallel and all of them end by the search's deadline. A slot Cal.com refuses is dropped and the next
best takes its place. Two ceilings bound what one caller can lock away: ``max_holds_per_search`` per
answer and ``max_live_holds`` per tenant (counted across instances through the key-value store).
The holds of one answer form a group: booking one of them releases the others and books through the
chosen one (``reservedSlotUid``), so the slot cannot be lost in between. Held slots are taken out of the
shared cache at once (at every cached slot length), so other callers are not offered them.

``slotDuration`` goes only to event types the tenant marks ``variable_length``: Cal.com refuses it on
any other event type, even when it equals the length.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from altslot.availability.assembler import Availability
from altslot.calcom.client import CalcomClient
from altslot.calcom.errors import BadRequest, CalcomError
from altslot.search.answers import Hold
from altslot.shared.keys import hold_group_key, hold_key, hold_slot_key
from altslot.shared.kv import KeyValue
from altslot.types import Tenant
from altslot.upstream.deadline import Deadline
from altslot.upstream.gateway import Upstream

log = logging.getLogger("altslot.search.holds")
Slot = tuple[datetime, datetime]
_KEPT_TTL = 16 * 60.0  # longer than any hold (at most 15 minutes): Cal.com expires it before altslot forgets it


@dataclass(frozen=True, slots=True)
class HoldAsk:
    """What a search asks to hold: the event type, for how long, at which slot length, by when."""

    event_type_id: int
    minutes: int
    duration: int | None
    deadline: Deadline


@dataclass(frozen=True, slots=True)
class Placed:
    """What one placement did: the holds by start, and the starts Cal.com refused (taken meanwhile)."""

    held: dict[datetime, Hold] = field(default_factory=dict)
    refused: frozenset[datetime] = frozenset()


class HoldQuota:
    """A ceiling of live holds per tenant shared by every instance: one key-value slot per live hold."""

    def __init__(self, kv: KeyValue, ceiling: int, rng: random.Random | None = None) -> None:
        self._kv = kv
        self._ceiling = ceiling
        self._rng = rng or random.Random()

    async def take(self, tenant: Tenant, count: int, ttl_seconds: float) -> list[str]:
        """Up to ``count`` free slots of the tenant's ceiling, each taken until ``ttl_seconds`` pass."""
        order = list(range(self._ceiling))
        self._rng.shuffle(order)  # instances taking slots at once rarely collide on the same ones
        taken: list[str] = []
        for number in order:
            if len(taken) == count:
                break
            name = hold_slot_key(tenant.id, number)
            if await self._kv.put_new(name, "1", ttl_seconds):
                taken.append(name)
        return taken

    async def give_back(self, names: Sequence[str]) -> None:
        """Free slots whose hold was not placed or has been released."""
        for name in names:
            await self._kv.delete(name)


class Holds:
    """Places and releases groups of reservations for one answer at a time."""

    def __init__(
        self,
        upstream: Upstream,
        availability: Availability,
        kv: KeyValue,
        *,
        per_search: int = 3,
        live_ceiling: int = 20,
    ) -> None:
        self._upstream = upstream
        self._availability = availability
        self._kv = kv
        self._per_search = per_search
        self._quota = HoldQuota(kv, live_ceiling)

    async def place(self, tenant: Tenant, ask: HoldAsk, slots: Sequence[Slot], want: int) -> Placed:
        """Hold up to ``want`` of ``slots`` (best first) in parallel by the deadline; refused ones are replaced."""
        ttl = ask.minutes * 60 + 60
        quota = await self._quota.take(tenant, min(want, self._per_search, len(slots)), ttl)
        if not quota:
            if want and slots:
                log.info("no holds for %s: its ceiling of live holds is reached", tenant.id)
            return Placed()
        placed = await self._reserve(tenant, ask, slots, len(quota))
        await self._quota.give_back(quota[len(placed.held) :])
        if placed.held:
            for hold in placed.held.values():
                await self._availability.take(tenant, hold.start, hold.end)
            group = uuid.uuid4().hex
            ids = [h.hold_id for h in placed.held.values()]
            record = {"holds": ids, "quota": quota[: len(placed.held)]}
            await self._kv.put(hold_group_key(tenant.id, group), json.dumps(record), ttl)
            for hold_id in ids:
                await self._kv.put(hold_key(tenant.id, hold_id), group, ttl)
        return placed

    async def _reserve(self, tenant: Tenant, ask: HoldAsk, slots: Sequence[Slot], want: int) -> Placed:
        held: dict[int, Hold] = {}
        refused: set[datetime] = set()
        running: dict[asyncio.Future[tuple[str, datetime]], int] = {}
        following = 0

        def launch() -> None:
            nonlocal following
            start = slots[following][0]
            duration = ask.duration if ask.event_type_id in tenant.variable_length else None
            op = _reserve(ask.event_type_id, start, ask.minutes, duration)
            budget = ask.deadline.remaining()
            call = self._upstream.call(tenant.account, "POST /v2/slots/reservations", op, budget, retry=False)
            running[asyncio.ensure_future(call)] = following
            following += 1

        def settle(task: asyncio.Future[tuple[str, datetime]], number: int) -> bool:
            """Record one finished reservation; False when Cal.com failed (stop placing more)."""
            try:
                uid, until = task.result()
            except BadRequest:
                refused.add(slots[number][0])  # taken or reserved meanwhile
                return True
            except CalcomError as exc:
                log.warning("holding offers for %s failed: %s", tenant.id, exc)
                return False
            held[number] = Hold(slots[number][0], slots[number][1], uid, until)
            return True

        while following < min(want, len(slots)):
            launch()
        healthy = True
        try:
            async with asyncio.timeout(ask.deadline.remaining()):
                while running:
                    done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        number = running.pop(task)
                        healthy = settle(task, number) and healthy
                        if healthy and slots[number][0] in refused and following < len(slots):
                            launch()
        except TimeoutError:
            log.info("holding offers for %s stopped at the search's deadline", tenant.id)
        finally:
            for task, number in list(running.items()):
                if task.done() and not task.cancelled():
                    settle(task, number)
                else:
                    task.cancel()  # a reservation cut here lapses at Cal.com by itself
            await asyncio.gather(*running, return_exceptions=True)
        ordered = {held[n].start: held[n] for n in sorted(held)}
        return Placed(ordered, frozenset(refused))

    async def release_group(self, tenant: Tenant, hold_id: str) -> int:
        """Release every hold placed together with ``hold_id`` (itself included); returns how many."""
        return await self._release(tenant, hold_id, keep=False)

    async def release_others(self, tenant: Tenant, hold_id: str) -> bool:
        """Release the holds placed with ``hold_id`` but keep that one; False when altslot does not know it."""
        if await self._kv.get(hold_key(tenant.id, hold_id)) is None:
            return False
        await self._release(tenant, hold_id, keep=True)
        return True

    async def forget(self, tenant: Tenant, hold_id: str) -> None:
        """Drop altslot's record of a hold Cal.com consumed (a booking made through it)."""
        group = await self._kv.get(hold_key(tenant.id, hold_id))
        await self._kv.delete(hold_key(tenant.id, hold_id))
        if group is not None:
            record = await self._group(tenant, group, hold_id)
            await self._quota.give_back(record["quota"])
            await self._kv.delete(hold_group_key(tenant.id, group))

    async def _group(self, tenant: Tenant, group: str, hold_id: str) -> dict[str, list[str]]:
        raw = await self._kv.get(hold_group_key(tenant.id, group))
        record: dict[str, list[str]] = json.loads(raw) if raw else {"holds": [hold_id], "quota": []}
        return record

    async def _release(self, tenant: Tenant, hold_id: str, *, keep: bool) -> int:
        group = await self._kv.get(hold_key(tenant.id, hold_id))
        if group is None:
            return 0
        record = await self._group(tenant, group, hold_id)
        released = 0
        for uid in record["holds"]:
            if keep and uid == hold_id:
                continue
            try:
                await self._upstream.call(tenant.account, "DELETE /v2/slots/reservations", _release(uid), retry=False)
                released += 1
            except CalcomError as exc:  # an expired hold is already gone; nothing to undo
                log.info("releasing hold of %s: %s", tenant.id, exc)
            await self._kv.delete(hold_key(tenant.id, uid))
        if keep:  # the kept hold still counts against the tenant's ceiling until it is booked or lapses
            await self._quota.give_back(record["quota"][1:])
            kept = {"holds": [hold_id], "quota": record["quota"][:1]}
            await self._kv.put(hold_group_key(tenant.id, group), json.dumps(kept), _KEPT_TTL)
        else:
            await self._quota.give_back(record["quota"])
            await self._kv.delete(hold_group_key(tenant.id, group))
        return released


def _reserve(
    event_type_id: int, start: datetime, minutes: int, duration: int | None
) -> Callable[[CalcomClient], Awaitable[tuple[str, datetime]]]:
    return lambda client: client.reserve_slot(event_type_id, start, minutes, duration)


def _release(uid: str) -> Callable[[CalcomClient], Awaitable[None]]:
    return lambda client: client.release_slot(uid)
