"""Every value each metric label can take, so every series exists at zero before its first event.

Prometheus (2.x) takes a new series' first sample as its baseline: a series born at 1 makes
``increase()`` and ``rate()`` miss that first increment, and a state that changes once reads 0 forever.
So the vocabularies live here, and ``Metrics`` creates each combination at start-up.
"""

from __future__ import annotations

import re

OTHER = "other"
NO_STATUS = "none"

# The Cal.com calls altslot makes, as ``Upstream.call`` names them (a test keeps this list complete).
CALCOM_ENDPOINTS = (
    "GET /v2/slots",
    "POST /v2/bookings",
    "POST /v2/bookings/{uid}/cancel",
    "POST /v2/bookings/{uid}/reschedule",
    "POST /v2/slots/reservations",
    "DELETE /v2/slots/reservations",
    "GET /v2/bookings",
    "GET /v2/me",
)
# Statuses the Cal.com client distinguishes; any other code is counted under its class; ``none``: no answer.
CALCOM_STATUSES = ("200", "400", "401", "403", "404", "422", "429", "500", "502", "503", "504", "4xx", "5xx", NO_STATUS)
# The leaves of ``calcom.errors`` that are failures (``SlotUnavailable`` is an answer, not a failure). A
# ``Refused`` is no label: it is raised around the client, never by an attempt, so no ``UpstreamCall`` names it.
CALCOM_ERRORS = (
    "TransportError",
    "Timeout",
    "ServerError",
    "RateLimited",
    "BadRequest",
    "Unauthorized",
    "NotFound",
    "MalformedResponse",
)
NOT_FAILURES = frozenset({"SlotUnavailable"})

CACHE_RESULTS = ("hit", "stale", "miss")
SEARCH_OUTCOMES = ("available", "alternatives", "none", "unavailable")
DEGRADED = ("stale", "partial", "unavailable")
BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}
SEARCH_LOG_DROPS = ("queue_full", "db_error")

BOOKING_OUTCOMES = {
    "create": ("created", "replayed", "slot_taken", "rejected", "in_progress", "upstream_error", "failed"),
    "reschedule": ("rescheduled", "slot_taken", "rejected", "not_found", "upstream_error", "failed"),
    "cancel": ("cancelled", "not_found", "upstream_error", "failed"),
}
WEBHOOK_OUTCOMES = ("refreshed", "ignored", "duplicate", "bad_signature", "bad_payload", "unknown_tenant", "failed")
HOLD_OUTCOMES = ("placed", "refused", "released", "failed")
# Agent adapters (``CallContext.platform``) and the ``status`` words of their answers (tests keep both complete).
AGENT_PLATFORMS = ("retell", "vapi", "elevenlabs", "tools", "mcp")
AGENT_OUTCOMES = (
    "available", "alternatives", "none_free", "slot_taken", "booked", "cancelled", "rescheduled",
    "unknown_service", "ambiguous_service", "missing_argument", "bad_date", "bad_argument", "not_bookable",
    "unknown_booking", "in_progress", "unavailable", "unknown_tool", "error",
)  # fmt: skip
HOLD_PLACE, HOLD_RELEASE = "POST /v2/slots/reservations", "DELETE /v2/slots/reservations"

# A path segment with a digit is an id (booking uid, event type), except the API version ("v2").
_ID_SEGMENT = re.compile(r"/(?!v\d+(?:/|\s|$))(?=[^/\s]*\d)[^/{}\s]+")


def endpoint_template(endpoint: str) -> str:
    """``"POST /v2/bookings/ab12/cancel"`` → ``"POST /v2/bookings/{uid}/cancel"``: ids are no labels."""
    return _ID_SEGMENT.sub("/{uid}", endpoint)


def calcom_status(status: int | None) -> str:
    """The ``status`` label of a Cal.com attempt: a listed code, its class (``"5xx"``), or ``"none"``."""
    if status is None:
        return NO_STATUS
    text = str(status)
    return text if text in CALCOM_STATUSES else f"{text[0]}xx"


def hold_outcome(endpoint: str, error: str | None) -> str | None:
    """What a reservation call did to a hold, or None for calls that are not about holds."""
    if endpoint == HOLD_PLACE:
        if error is None:
            return "placed"
        return "refused" if error in NOT_FAILURES or error == "BadRequest" else "failed"
    if endpoint == HOLD_RELEASE:
        return "released" if error is None else "failed"
    return None
