"""What a Cal.com 400/422 means for altslot's caller: the booking's state (409), or which field was refused (422).

That the slot itself is gone is told by the error's type (``SlotUnavailable``, 409 with alternatives).

Cal.com's validation pipes name the property (``"attendee property is wrong,Invalid phone number …"``);
other refusals are plain sentences. The caller hears altslot's own field names, never a 503.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from altslot.calcom.wire import refused_properties

# Cal.com's texts for a booking whose state forbids the change (already cancelled, rescheduled away): 409.
_STATE = re.compile(r"already been cancelled|cancelled already|been cancelled|been rescheduled|has status", re.I)

CREATE_FIELDS: Mapping[str, str] = {
    "start": "start",
    "eventTypeId": "event_type_id",
    "lengthInMinutes": "start",
    "metadata": "metadata",
    "reservedSlotUid": "hold_id",
}
CANCEL_FIELDS: Mapping[str, str] = {"cancellationReason": "reason"}
RESCHEDULE_FIELDS: Mapping[str, str] = {"start": "start", "reschedulingReason": "reason"}
# First match wins: "contact method (email or phone number)" names both, so it comes first.
_ATTENDEE_PARTS = (("contact method", "attendee.email"), ("phone", "attendee.phone"), ("email", "attendee.email"),
                   ("timezone", "attendee.time_zone"), ("language", "attendee.language"))  # fmt: skip


def state_conflict(message: str) -> bool:
    """Whether Cal.com refused a change because of the booking's state (cancelled, moved away)."""
    return _STATE.search(message) is not None


def refused_field(message: str, names: Mapping[str, str], default: str) -> str:
    """altslot's name for the field Cal.com's message names; ``default`` when it names none we know."""
    for prop in refused_properties(message):
        if prop == "attendee":
            lowered = message.lower()
            return next((field for word, field in _ATTENDEE_PARTS if word in lowered), "attendee")
        if prop in names:
            return names[prop]
    if "reason" in message.lower() and "reason" in names.values():
        return "reason"
    return default
