"""altslot: verified alternative appointment times in front of the Cal.com API.

The service is built from the packages below; as a library, the pure parts need none of it:

* the finder (``altslot.finder``): ``find_alternatives(request, index, policy, now)`` turns a wish and the free
  slots into ranked offers, ``phrase`` and ``label`` say them in German or English;
* the slot engine (``altslot.engine``): ``compute_slots(schedule, event_type, query, now)`` computes free slots
  with Cal.com's semantics.

Importing ``altslot`` loads neither HTTP nor Redis libraries; those arrive with the service's own packages.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not ``typing.TYPE_CHECKING``: importing typing would cost more than this whole file
if TYPE_CHECKING:
    from altslot.engine import AvailabilityRule, Busy, DateOverride, EventType, Schedule, SlotQuery, compute_slots
    from altslot.finder.models import Alternative, SearchRequest, SearchResult, SlotIndex, TimeWindow
    from altslot.finder.phrasing import label, phrase
    from altslot.finder.scan import find_alternatives
    from altslot.types import Interval, Policy

# Loaded on first use (PEP 562): ``import altslot.commands.cli`` and every other submodule import run this
# file, and the finder pulls in the holiday calendars, which a process that never finds anything need not pay.
_HOMES = {
    "find_alternatives": "altslot.finder.scan",
    **dict.fromkeys(
        ("Alternative", "SearchRequest", "SearchResult", "SlotIndex", "TimeWindow"), "altslot.finder.models"
    ),
    **dict.fromkeys(("label", "phrase"), "altslot.finder.phrasing"),
    **dict.fromkeys(
        ("AvailabilityRule", "Busy", "DateOverride", "EventType", "Schedule", "SlotQuery", "compute_slots"),
        "altslot.engine",
    ),
    **dict.fromkeys(("Interval", "Policy"), "altslot.types"),
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'altslot' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


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
