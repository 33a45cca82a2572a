"""A tiny key-value store with TTLs for idempotency keys, webhook replays and hold groups.

Redis when configured (so it holds across instances), memory otherwise or while Redis is down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from altslot.shared.health import RedisHealth
from altslot.shared.redis_client import AnyRedis
from altslot.shared.ttl import to_ms


class KeyValue(Protocol):
    """Strings with a time to live."""

    @property
    def shared(self) -> bool:
        """True while what is written now is seen by every instance (False: Redis is down, memory stands in).

        Callers that must never decide differently on two instances (idempotency) fall back to another
        source of truth while this is False.
        """
        ...

    async def put_new(self, key: str, value: str, ttl_seconds: float) -> bool:
        """Store only if absent; True when stored."""
        ...

    async def put(self, key: str, value: str, ttl_seconds: float) -> None:
        """Store or replace."""
        ...

    async def get(self, key: str) -> str | None:
        """The value, or None."""
        ...

    async def delete(self, key: str) -> None:
        """Forget the key."""
        ...


class MemoryKeyValue:
    """In-process store; expired keys are dropped when touched and swept on writes."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self._monotonic = monotonic
        self._max = max_keys
        self._data: dict[str, tuple[str, float]] = {}

    @property
    def shared(self) -> bool:
        """True: the memory backend is the store of a single instance by configuration."""
        return True

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] <= self._monotonic():
            del self._data[key]
            return None
        return item[0]

    def _sweep(self) -> None:
        if len(self._data) < self._max:
            return
        now = self._monotonic()
        for key in [k for k, (_, until) in self._data.items() if until <= now]:
            del self._data[key]
        while len(self._data) >= self._max:  # still full: the oldest insertions go first
            del self._data[next(iter(self._data))]

    async def put_new(self, key: str, value: str, ttl_seconds: float) -> bool:
        """Store only if absent."""
        if self._live(key) is not None:
            return False
        await self.put(key, value, ttl_seconds)
        return True

    async def put(self, key: str, value: str, ttl_seconds: float) -> None:
        """Store or replace."""
        self._sweep()
        self._data[key] = (value, self._monotonic() + ttl_seconds)

    async def get(self, key: str) -> str | None:
        """The value, or None."""
        return self._live(key)

    async def delete(self, key: str) -> None:
        """Forget the key."""
        self._data.pop(key, None)


class RedisKeyValue:
    """Shared store on Redis, with the memory store standing in while Redis is down."""

    def __init__(self, redis: AnyRedis, health: RedisHealth, fallback: MemoryKeyValue | None = None) -> None:
        self._redis = redis
        self._health = health
        self._local = fallback or MemoryKeyValue()

    @property
    def shared(self) -> bool:
        """False from a failed Redis call until Redis is worth asking again."""
        return self._health.usable

    async def put_new(self, key: str, value: str, ttl_seconds: float) -> bool:
        """``SET NX PX``."""

        async def shared() -> bool:
            return bool(await self._redis.set(key, value, nx=True, px=to_ms(ttl_seconds)))

        return await self._health.guard(shared, lambda: self._local.put_new(key, value, ttl_seconds))

    async def put(self, key: str, value: str, ttl_seconds: float) -> None:
        """``SET PX``."""

        async def shared() -> None:
            await self._redis.set(key, value, px=to_ms(ttl_seconds))

        await self._health.guard(shared, lambda: self._local.put(key, value, ttl_seconds))

    async def get(self, key: str) -> str | None:
        """``GET``."""

        async def shared() -> str | None:
            raw = await self._redis.get(key)
            return raw.decode() if isinstance(raw, bytes) else raw

        return await self._health.guard(shared, lambda: self._local.get(key))

    async def delete(self, key: str) -> None:
        """``DEL``."""

        async def shared() -> None:
            await self._redis.delete(key)

        await self._health.guard(shared, lambda: self._local.delete(key))
