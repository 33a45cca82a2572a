"""A pure slot engine with Cal.com's semantics (importable as a library, used by the simulator)."""

from __future__ import annotations

from altslot.engine.model import AvailabilityRule, Busy, DateOverride, EventType, Schedule, SlotQuery
from altslot.engine.slots import compute_slots

__all__ = ["AvailabilityRule", "Busy", "DateOverride", "EventType", "Schedule", "SlotQuery", "compute_slots"]
