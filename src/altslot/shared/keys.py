"""Every name altslot gives a Redis key, in one place.

A key carries its owner as a ``{hash tag}`` (the tenant, or the identity of a Cal.com API key, never
the key itself) so one owner's keys share a Redis Cluster slot and multi-key commands and scripts stay
legal there. The families:

==============================================================  ===========================================
key                                                             what it holds
==============================================================  ===========================================
``altslot:{<tenant>}:day:<event type>:<minutes>:<day>``         one day's availability (``day_key``)
``altslot:{<tenant>}:lease:<event type>:<minutes>:<day>``       the single-flight lease of a day's fetch
``altslot:{<tenant>}:idem:<sha256 of Idempotency-Key>``         a booking's idempotency record
``altslot:{<tenant>}:webhook:<sha256 of the body>``             a webhook delivery already applied
``altslot:{<tenant>}:holdslot:<n>``                             one slot of the tenant's ceiling of holds
``altslot:{<tenant>}:holdgroup:<group>``                        the holds placed together, and their slots
``altslot:{<tenant>}:hold:<hold id>``                           the group a hold belongs to
``altslot:{<tenant>}:durations:<event type>``                   the slot lengths with cached days
``altslot:{<api key>}:breaker:<part>``                          circuit state (``breaker_keys``, 5 parts)
``altslot:{<api key>}:ratelimit:block``                         a block Cal.com reported (429, budget 0)
``altslot:{<api key>}:ratelimit/<amount>/<multiples>/<unit>``   the moving window (``limits``' key)
``altslot:failed-auth/<address>/<amount>/<multiples>/<unit>``   failed authentications of one address
``altslot:{warmer}:lease``                                      whose turn it is to warm (one per service)
==============================================================  ===========================================

The two window families are named by the ``limits`` library: ``window_storage`` prefixes ``PREFIX`` and
an item's key starts with its namespace (``ratelimit_namespace``, ``FAILED_AUTH_NAMESPACE``). The
failed-auth window has no tag on purpose: it is one key, never used with another, so its slot is moot.
The warmer's lease has the fixed tag ``{warmer}``: it belongs to the whole service, not to a tenant.
"""

from __future__ import annotations

import hashlib

from altslot.types import DayKey

PREFIX = "altslot"

WARMER_LEASE = f"{PREFIX}:{{warmer}}:lease"
"""Held by the instance warming this interval."""

FAILED_AUTH_NAMESPACE = "failed-auth"
"""The ``limits`` namespace of failed authentications per client address (apart from Cal.com's windows)."""

BREAKER_PARTS = ("failures", "successes", "open", "tripped", "probe")
"""A circuit's keys, in the order the breaker's scripts expect them."""


def tenant_key(tenant: str, name: str) -> str:
    """A per-tenant key; prefer the named families below, which the table above lists."""
    return _tagged(tenant, name)


def day_key(key: DayKey) -> str:
    """Where one day's availability lives."""
    return _of_day("day", key)


def lease_key(key: DayKey) -> str:
    """The single-flight lease of one day's fetch."""
    return _of_day("lease", key)


def idempotency_record_key(tenant: str, client_key: str) -> str:
    """The record of a booking made with the ``Idempotency-Key`` ``client_key`` (stored hashed)."""
    return _of_digest(tenant, "idem", client_key.encode())


def webhook_key(tenant: str, body: bytes) -> str:
    """Marks a webhook delivery with this exact body as applied."""
    return _of_digest(tenant, "webhook", body)


def hold_slot_key(tenant: str, number: int) -> str:
    """Slot ``number`` of the tenant's ceiling of live holds."""
    return tenant_key(tenant, f"holdslot:{number}")


def hold_group_key(tenant: str, group: str) -> str:
    """The holds placed together as ``group`` and the ceiling slots they take."""
    return tenant_key(tenant, f"holdgroup:{group}")


def hold_key(tenant: str, hold_id: str) -> str:
    """The group the hold ``hold_id`` belongs to."""
    return tenant_key(tenant, f"hold:{hold_id}")


def durations_key(tenant: str, event_type_id: int) -> str:
    """The slot lengths of an event type that have cached days."""
    return tenant_key(tenant, f"durations:{event_type_id}")


def breaker_keys(identity: str) -> list[str]:
    """The keys of one API key's circuit, in ``BREAKER_PARTS`` order."""
    return [_tagged(identity, f"breaker:{part}") for part in BREAKER_PARTS]


def ratelimit_block_key(identity: str) -> str:
    """Holds a Cal.com-reported block of one API key until Cal.com's reset."""
    return _tagged(identity, "ratelimit:block")


def ratelimit_namespace(identity: str) -> str:
    """The ``limits`` namespace of one API key's moving window (``PREFIX`` is added by the storage)."""
    return f"{{{identity}}}:ratelimit"


def _tagged(owner: str, name: str) -> str:
    return f"{PREFIX}:{{{owner}}}:{name}"


def _of_day(family: str, key: DayKey) -> str:
    """A key of one cached day: the day's cache entry and its fetch lease are named alike."""
    return tenant_key(key.tenant, f"{family}:{key.event_type_id}:{key.duration_minutes}:{key.day.isoformat()}")


def _of_digest(tenant: str, family: str, data: bytes) -> str:
    """A key named by the SHA-256 of ``data``: a client's secret or a whole body never appears in a key."""
    return tenant_key(tenant, f"{family}:{hashlib.sha256(data).hexdigest()}")
