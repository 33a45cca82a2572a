"""altslot: verified alternative appointment times in front of the Cal.com API.

The service is built from the packages below; as a library, the pure parts need none of it:

* the finder (``altslot.core``): ``find_alternatives(request, index, policy, now)`` turns a wish and the free
  slots into ranked offers, ``phrase`` and ``label`` say them in German or English;
* the slot engine (``altslot.engine``): ``compute_slots(schedule, event_type, query, now)`` computes free slots
  with Cal.com's semantics.

Importing ``altslot`` loads neither HTTP nor Redis libraries; those arrive with the service's own packages.
"""

from __future__ import annotations

from altslot.core.finder import find_alternatives
from altslot.core.models import Alternative, Policy, SearchRequest, SearchResult, SlotIndex, TimeWindow
from altslot.core.phrasing import label, phrase
from altslot.engine import AvailabilityRule, Busy, DateOverride, EventType, Schedule, SlotQuery, compute_slots
from altslot.types import Interval

__version__ = "0.1.0"

__all__ = [
    "Alternative",
    "AvailabilityRule",
    "Busy",
    "DateOverride",
    "EventType",
    "Interval",
    "Policy",
    "Schedule",
    "SearchRequest",
    "SearchResult",
    "SlotIndex",
    "SlotQuery",
    "TimeWindow",
    "__version__",
    "compute_slots",
    "find_alternatives",
    "label",
    "phrase",
]
