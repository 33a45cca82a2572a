"""Idempotency records of the booking path, in the key-value store (Redis when configured).

One record per (tenant, ``Idempotency-Key``), holding the request body's digest and a state:

* ``pending``  — a request with the key is running. It lives only for the booking's own deadline plus
  a margin (``pending_ttl``): an instance that dies or loses Redis mid-booking must not make every retry
  wait for "in progress" for a day.
* ``unknown``  — Cal.com's answer to the create was lost and could not be looked up either; the next
  request with the key asks Cal.com (the booking's metadata) before booking again.
* ``done``     — the booking Cal.com confirmed; kept 24 h and returned to every retry.

The key also goes to Cal.com in the booking's ``metadata`` (``METADATA_KEY``, as a digest), which is the
truth altslot falls back to when the record cannot be trusted (a lost answer, Redis down).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

from altslot.errors import KeyInProgress, KeyReused
from altslot.shared.keys import idempotency_record_key
from altslot.shared.kv import KeyValue

DONE_TTL = 24 * 3600.0
PENDING_MARGIN = 10.0
PENDING_WAIT_SECONDS = 10.0
METADATA_KEY = "altslot_idempotency"
"""The booking metadata key altslot writes (Cal.com allows 50 keys; callers get 49)."""


@dataclass(frozen=True)
class Claim:
    """What taking a key found: a finished booking to replay, or the key is ours (maybe after a lost answer)."""

    key: str
    digest: str
    token: str
    booking: dict[str, Any] | None = None
    uncertain: bool = False
    """A previous request with this key may have booked; ask Cal.com before booking again."""


@dataclass(frozen=True, eq=False)
class IdempotencyStore:
    """Claims, finishes and releases idempotency records."""

    kv: KeyValue
    _: KW_ONLY
    pending_ttl: float
    done_ttl: float = DONE_TTL
    pending_wait: float = PENDING_WAIT_SECONDS
    poll_seconds: float = 0.05
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    @property
    def shared(self) -> bool:
        """Whether the records are seen by every instance right now (False while Redis is down)."""
        return self.kv.shared

    async def claim(self, tenant: str, idempotency_key: str, body_digest: str) -> Claim:
        """Take the key for this request, or return the booking a previous request made with it."""
        secret = hashlib.sha256(f"{tenant}\0{idempotency_key}".encode()).hexdigest()
        key = idempotency_record_key(tenant, idempotency_key)
        claim = Claim(key, body_digest, secret[:32])
        pending = json.dumps({"hash": body_digest, "state": "pending"})
        waited = 0.0
        while not await self.kv.put_new(key, pending, self.pending_ttl):
            raw = await self.kv.get(key)
            if raw is None:
                continue  # released between our two calls: try to take it again
            record = json.loads(raw)
            if record["hash"] != body_digest:
                raise KeyReused("Idempotency-Key was already used with a different request body")
            if record["state"] == "done":
                return Claim(key, body_digest, claim.token, booking=record["booking"])
            if record["state"] == "unknown":
                await self.kv.put(key, pending, self.pending_ttl)
                return Claim(key, body_digest, claim.token, uncertain=True)
            if waited >= self.pending_wait:
                raise KeyInProgress("a request with this Idempotency-Key is still running")
            await self.sleep(self.poll_seconds)
            waited += self.poll_seconds
        return claim

    async def finish(self, claim: Claim, booking: dict[str, Any]) -> None:
        """Keep the confirmed booking for every retry (24 h)."""
        record = {"hash": claim.digest, "state": "done", "booking": booking}
        await self.kv.put(claim.key, json.dumps(record), self.done_ttl)

    async def unsettled(self, claim: Claim) -> None:
        """Cal.com may have booked and nobody could find out: the next request asks Cal.com first."""
        record = {"hash": claim.digest, "state": "unknown"}
        await self.kv.put(claim.key, json.dumps(record), self.done_ttl)

    async def release(self, claim: Claim) -> None:
        """Nothing was booked: a retry may try again."""
        await self.kv.delete(claim.key)
