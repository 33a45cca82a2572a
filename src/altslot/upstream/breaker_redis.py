"""Circuit state in Redis, so every instance of altslot opens and closes a key's circuit together.

A circuit's keys (``altslot.shared.keys.breaker_keys``) share the hash tag ``{<key>}`` (the API-key
identity, never the raw key) so the Lua scripts touch one Redis Cluster slot. What each part holds:

    failures   consecutive failures while closed (INCR)
    successes  consecutive probe successes while half-open
    open       exists while open; its PTTL is the remaining cool-down
    tripped    exists while open or half-open
    probe      the half-open probe slot: SET NX PX with the holder's token

Each transition is one Lua script, so concurrent instances never double-count or hand out two probes.
Expiry is Redis's (PX), so no instance's clock matters. If Redis fails, the store answers from a local
``MemoryBreakerStore`` and logs one warning per outage: a Redis problem never fails a call.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from altslot.shared.health import RedisHealth
from altslot.shared.keys import breaker_keys
from altslot.shared.redis_client import AnyRedis
from altslot.shared.ttl import from_ms, to_ms
from altslot.upstream.breaker import (
    PROBE_BUSY_RETRY_AFTER,
    Admission,
    BreakerPolicy,
    MemoryBreakerStore,
    State,
)

log = logging.getLogger("altslot.upstream.breaker")

# Keys: 1 failures, 2 successes, 3 open, 4 tripped, 5 probe.
# Returns {code, pttl}: 0 closed, 1 probe granted, 2 open, 3 probe busy.
_ADMIT = """
if redis.call('EXISTS', KEYS[4]) == 0 then return {0, 0} end
local t = redis.call('PTTL', KEYS[3])
if t > 0 then return {2, t} end
if redis.call('SET', KEYS[5], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, 0} end
return {3, 0}
"""

# ARGV: probe token ('' if none), failure threshold, cool-down ms, state ttl ms. Returns 1 if opened.
_FAILURE = """
if redis.call('EXISTS', KEYS[4]) == 1 then
  if ARGV[1] ~= '' and redis.call('GET', KEYS[5]) == ARGV[1] then
    redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
    redis.call('SET', KEYS[4], '1', 'PX', ARGV[4])
    redis.call('DEL', KEYS[2], KEYS[5])
    return 1
  end
  return 0
end
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if n >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
  redis.call('SET', KEYS[4], '1', 'PX', ARGV[4])
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[5])
  return 1
end
return 0
"""

# ARGV: probe token ('' if none), success threshold, state ttl ms. Returns 1 if closed.
_SUCCESS = """
if redis.call('EXISTS', KEYS[4]) == 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
if ARGV[1] == '' or redis.call('GET', KEYS[5]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[5])
local s = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if s >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  return 1
end
return 0
"""

_RELEASE = "if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end return 0"

_STATE = """
if redis.call('EXISTS', KEYS[4]) == 0 then return 0 end
if redis.call('PTTL', KEYS[3]) > 0 then return 2 end
return 1
"""

_STATES: tuple[State, State, State] = ("closed", "half_open", "open")

STATE_TTL_SECONDS = 86_400.0
"""Counters and the tripped flag of an idle key vanish after a day instead of living forever."""


class RedisBreakerStore:
    """A ``BreakerStore`` shared by all instances through Redis, with a local fallback."""

    def __init__(
        self,
        redis: AnyRedis,
        policy: BreakerPolicy,
        fallback: MemoryBreakerStore | None = None,
        health: RedisHealth | None = None,
    ) -> None:
        self.policy = policy
        self._redis = redis
        self._local = fallback or MemoryBreakerStore(policy)
        self._outage = health or RedisHealth()
        self._admit = redis.register_script(_ADMIT)
        self._failure = redis.register_script(_FAILURE)
        self._success = redis.register_script(_SUCCESS)
        self._release = redis.register_script(_RELEASE)
        self._state = redis.register_script(_STATE)

    async def admit(self, key: str) -> Admission:
        """Admission decided atomically in Redis; the probe slot is taken with ``SET NX PX``."""
        token = uuid.uuid4().hex

        async def shared() -> Admission:
            code, pttl = await self._admit(keys=breaker_keys(key), args=[token, to_ms(self.policy.probe_lease_seconds)])
            if code == 0:
                return Admission(True)
            if code == 1:
                return Admission(True, probe=token)
            if code == 2:
                return Admission(False, retry_after=from_ms(pttl))
            return Admission(False, retry_after=PROBE_BUSY_RETRY_AFTER, probing=True)

        async def local() -> Admission:
            return replace(await self._local.admit(key), fallback=True)

        return await self._outage.guard(shared, local)

    async def failure(self, key: str, admission: Admission) -> bool:
        """Count a failure or re-open after a failed probe, atomically."""
        if admission.fallback:
            return await self._local.failure(key, admission)
        args: list[str | int] = [
            admission.probe or "",
            self.policy.failure_threshold,
            to_ms(self.policy.cool_down_seconds),
            to_ms(STATE_TTL_SECONDS),
        ]

        async def shared() -> bool:
            return bool(await self._failure(keys=breaker_keys(key), args=args))

        # Tried even during the back-off: Redis granted the admission, so Redis holds its probe.
        return await self._outage.guard(shared, lambda: self._local.failure(key, admission), while_down=True)

    async def success(self, key: str, admission: Admission) -> bool:
        """Reset the failure count, or count a probe success towards closing."""
        if admission.fallback:
            return await self._local.success(key, admission)
        args: list[str | int] = [admission.probe or "", self.policy.success_threshold, to_ms(STATE_TTL_SECONDS)]

        async def shared() -> bool:
            return bool(await self._success(keys=breaker_keys(key), args=args))

        return await self._outage.guard(shared, lambda: self._local.success(key, admission), while_down=True)

    async def release(self, key: str, admission: Admission) -> None:
        """Free the probe slot if this call still holds it."""
        if admission.fallback or admission.probe is None:
            await self._local.release(key, admission)
            return
        # Should Redis miss it, the slot's PX expiry frees it anyway.
        with self._outage.best_effort():
            await self._release(keys=breaker_keys(key), args=[admission.probe])

    async def state(self, key: str) -> State:
        """The shared state, or the local one while Redis is unavailable."""

        async def shared() -> State:
            return _STATES[int(await self._state(keys=breaker_keys(key), args=[]))]

        return await self._outage.guard(shared, lambda: self._local.state(key))
