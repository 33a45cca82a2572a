"""Cal.com API v2 client: the only place that speaks HTTP to Cal.com."""

from __future__ import annotations

from altslot.calcom.client import Booking, CalcomClient, CalcomPool, DaySlots, RateLimitInfo
from altslot.calcom.errors import (
    BadRequest,
    CalcomError,
    FatalError,
    MalformedResponse,
    NotFound,
    RateLimited,
    Refused,
    RetryableError,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)

__all__ = [
    "BadRequest",
    "Booking",
    "CalcomClient",
    "CalcomError",
    "CalcomPool",
    "DaySlots",
    "FatalError",
    "MalformedResponse",
    "NotFound",
    "RateLimitInfo",
    "RateLimited",
    "Refused",
    "RetryableError",
    "ServerError",
    "Timeout",
    "TransportError",
    "Unauthorized",
]
