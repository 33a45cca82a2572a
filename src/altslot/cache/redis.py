"""Redis day cache and fetch leases, shared by every altslot instance on one Redis."""

from __future__ import annotations

import json
import secrets
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from altslot.cache.base import DayEntry
from altslot.shared.keys import day_key, lease_key
from altslot.shared.redis_client import AnyRedis
from altslot.shared.ttl import to_ms
from altslot.types import DayKey

# Deleting a lease only if it is still ours: a holder that outlived its lease must not free another's.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# Taking every free lease of a horizon in one step: with one SET NX per key in a pipeline, two instances'
# pipelines interleave on the server and split a cold horizon between them (two upstream calls, not one).
# The keys are one tenant's, so one Redis Cluster slot.
_ACQUIRE = """
local taken = {}
for i, key in ipairs(KEYS) do
  taken[i] = redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
end
return taken
"""


def encode(entry: DayEntry) -> bytes:
    """Compact JSON: slot starts as epoch seconds, and the entry's version."""
    body = {
        "s": [int(s.timestamp()) for s in entry.starts],
        "f": entry.fetched_at.timestamp(),
        "l": entry.length_minutes,
        "v": entry.version,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def decode(raw: bytes | str) -> DayEntry:
    """The inverse of ``encode``."""
    body = json.loads(raw)
    return DayEntry(
        starts=tuple(datetime.fromtimestamp(s, UTC) for s in body["s"]),
        fetched_at=datetime.fromtimestamp(body["f"], UTC),
        length_minutes=int(body["l"]),
        # An entry written before versions existed: its bytes are its version.
        version=int(body["v"]) if "v" in body else hash(raw),
    )


class RedisDayCache:
    """Day entries as Redis strings with a TTL; reads are one MGET, writes one pipeline.

    Decoded entries are remembered by their exact bytes: a warm search reads the same 15 values again and
    again, and decoding hundreds of timestamps each time would cost more than the round trip.
    """

    def __init__(self, redis: AnyRedis, decoded_max: int = 4096) -> None:
        self._redis = redis
        self._decoded: OrderedDict[bytes | str, DayEntry] = OrderedDict()
        self._decoded_max = decoded_max

    def _decode(self, raw: bytes | str) -> DayEntry:
        entry = self._decoded.get(raw)
        if entry is None:
            entry = decode(raw)
            self._decoded[raw] = entry
            if len(self._decoded) > self._decoded_max:
                self._decoded.popitem(last=False)
        return entry

    async def get_many(self, keys: Sequence[DayKey]) -> dict[DayKey, DayEntry]:
        """The entries present for ``keys``."""
        if not keys:
            return {}
        values = await self._redis.mget([day_key(k) for k in keys])
        return {k: self._decode(v) for k, v in zip(keys, values, strict=True) if v is not None}

    async def set_many(self, entries: Mapping[DayKey, DayEntry], ttl_seconds: float) -> None:
        """Store entries with a TTL (a non-transactional pipeline: keys may span cluster slots)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, entry in entries.items():
                pipe.set(day_key(key), encode(entry), px=to_ms(ttl_seconds))
            await pipe.execute()

    async def delete(self, keys: Sequence[DayKey]) -> None:
        """Forget these days."""
        if keys:
            await self._redis.delete(*[day_key(k) for k in keys])


class RedisLeases:
    """Who fetches which day: ``SET NX PX`` per day; a lease expires if its holder dies."""

    def __init__(self, redis: AnyRedis) -> None:
        self._redis = redis
        self._token = secrets.token_hex(8)
        self._acquire = redis.register_script(_ACQUIRE)

    async def acquire(self, keys: Sequence[DayKey], ttl_seconds: float) -> list[DayKey]:
        """Take the leases that are free, atomically; returns the days this instance now fetches."""
        if not keys:
            return []
        args: list[str | int] = [self._token, to_ms(ttl_seconds)]
        taken = await self._acquire(keys=[lease_key(k) for k in keys], args=args)
        return [k for k, ok in zip(keys, taken, strict=True) if int(ok)]

    async def release(self, keys: Sequence[DayKey]) -> None:
        """Give back leases this instance still holds."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.eval(_RELEASE, 1, lease_key(key), self._token)
            await pipe.execute()

    async def held(self, keys: Sequence[DayKey]) -> list[DayKey]:
        """The days whose lease someone still holds."""
        if not keys:
            return []
        values = await self._redis.mget([lease_key(k) for k in keys])
        return [k for k, v in zip(keys, values, strict=True) if v is not None]
