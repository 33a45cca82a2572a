"""Keep answering when Redis goes away: fall back to memory, warn once, return when Redis does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from altslot.cache.base import DayCache, DayEntry, Leases, LocalLeases
from altslot.shared.health import RedisHealth
from altslot.types import DayKey


class FallbackCache:
    """A Redis day cache that answers from memory while Redis is down."""

    def __init__(self, primary: DayCache, fallback: DayCache, health: RedisHealth) -> None:
        self._primary = primary
        self._fallback = fallback
        self._health = health

    async def get_many(self, keys: Sequence[DayKey]) -> dict[DayKey, DayEntry]:
        """From Redis, or from memory while Redis is down."""
        return await self._health.guard(lambda: self._primary.get_many(keys), lambda: self._fallback.get_many(keys))

    async def set_many(self, entries: Mapping[DayKey, DayEntry], ttl_seconds: float) -> None:
        """Into Redis, and into memory too so an outage starts warm."""
        await self._fallback.set_many(entries, ttl_seconds)
        await self._health.guard(lambda: self._primary.set_many(entries, ttl_seconds), _nothing)

    async def delete(self, keys: Sequence[DayKey]) -> None:
        """From both."""
        await self._fallback.delete(keys)
        await self._health.guard(lambda: self._primary.delete(keys), _nothing)


class FallbackLeases:
    """Redis leases, or local ones while Redis is down (each instance then fetches for itself)."""

    def __init__(self, primary: Leases, health: RedisHealth) -> None:
        self._primary = primary
        self._local = LocalLeases()
        self._health = health

    async def acquire(self, keys: Sequence[DayKey], ttl_seconds: float) -> list[DayKey]:
        """Shared leases, or all of them while Redis is down."""
        return await self._health.guard(
            lambda: self._primary.acquire(keys, ttl_seconds), lambda: self._local.acquire(keys, ttl_seconds)
        )

    async def release(self, keys: Sequence[DayKey]) -> None:
        """Give back shared leases, tried even while Redis counts as down.

        The lease is ours and the release cheap; skipping it after a blip would leave the other
        instances polling an orphaned lease until it lapses, far past their deadline. A failure here
        is recorded like any other (the lease then lapses by its TTL).
        """
        with self._health.best_effort():
            await self._primary.release(keys)

    async def held(self, keys: Sequence[DayKey]) -> list[DayKey]:
        """Shared lease holders, or none while Redis is down."""
        return await self._health.guard(lambda: self._primary.held(keys), lambda: self._local.held(keys))


async def _nothing() -> None:
    return None
