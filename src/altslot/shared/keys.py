"""Redis key names. Every key carries its tenant as a ``{hash tag}`` so one tenant's keys share a
Redis Cluster slot (multi-key commands and scripts stay legal there)."""

from __future__ import annotations

from altslot.types import DayKey

PREFIX = "altslot"


def day_key(key: DayKey) -> str:
    """Where one day's availability lives."""
    return f"{PREFIX}:{{{key.tenant}}}:day:{key.event_type_id}:{key.duration_minutes}:{key.day.isoformat()}"


def lease_key(key: DayKey) -> str:
    """The single-flight lease of one day's fetch."""
    return f"{PREFIX}:{{{key.tenant}}}:lease:{key.event_type_id}:{key.duration_minutes}:{key.day.isoformat()}"


def tenant_key(tenant: str, name: str) -> str:
    """Any other per-tenant key (breaker, rate-limit block, idempotency keys, …)."""
    return f"{PREFIX}:{{{tenant}}}:{name}"
