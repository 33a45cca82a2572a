"""What happened, as plain values: the service emits events, observers (metrics, logs) subscribe.

Emitting never fails a request: an observer that raises is reported once through ``logging`` and
otherwise ignored. The events stand in the order of the packages that emit them, top to bottom as the
README draws the stack: the HTTP API, the agent tools, booking, search, availability, then the upstream
steps (breaker, rate limit) and the call itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

log = logging.getLogger("altslot.events")


@dataclass(frozen=True, slots=True)
class RequestServed:
    """One HTTP answer of altslot's own API: the route template (never the raw path), status, caller."""

    route: str
    status: int
    tenant: str | None
    seconds: float


@dataclass(frozen=True, slots=True)
class AgentCall:
    """One tool call through an agent adapter: the platform, and the answer's ``status`` word."""

    tenant: str
    platform: str
    outcome: str


BookingOperation = Literal["create", "cancel", "reschedule"]


@dataclass(frozen=True, slots=True)
class BookingDone:
    """How a booking request ended (``created``, ``replayed``, ``slot_taken``, ``rejected``, ...)."""

    tenant: str
    operation: BookingOperation
    outcome: str


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """How a Cal.com webhook delivery ended (``refreshed``, ``duplicate``, ``bad_signature``, ...)."""

    tenant: str
    outcome: str


@dataclass(frozen=True, slots=True)
class SearchDone:
    """One answered alternatives search (the seed's per-search log fields, plus tenant and request id)."""

    tenant: str
    request_id: str
    event_type_id: int
    api_calls_made: int
    cache_hits: int
    cache_misses: int
    stale_hits: int
    duration_ms: float
    alternatives_found: int
    strategy_used: str | None
    fallback_triggered: bool
    timeout_hit: bool
    degraded: str | None
    available: bool
    why_not: str | None
    status: int = 200


@dataclass(frozen=True, slots=True)
class FetchDone:
    """A fetch of a run of days finished (for a search, a background refresh or the warmer); ``error`` if it failed."""

    tenant: str
    days: int
    error: str | None = None


@dataclass(frozen=True, slots=True)
class BreakerTransition:
    """The circuit state an instance obeys changed.

    ``caused``: this instance's own call changed it (its failure opened it, its probe half-opened or closed
    it); False when it learned a change another instance made through the shared store. Counting only
    caused transitions, summed over instances, counts each transition of the circuit once.
    """

    tenant: str
    state: Literal["closed", "open", "half_open"]
    caused: bool = True


@dataclass(frozen=True, slots=True)
class RateLimitWait:
    """A call waited for the client-side rate limiter."""

    tenant: str
    seconds: float


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    """One HTTP call to Cal.com; ``status`` is None when no response arrived."""

    tenant: str
    endpoint: str
    status: int | None
    duration_seconds: float
    error: str | None = None


Event = (
    RequestServed
    | AgentCall
    | BookingDone
    | WebhookDelivery
    | SearchDone
    | FetchDone
    | BreakerTransition
    | RateLimitWait
    | UpstreamCall
)
Observer = Callable[[Event], None]


class Events:
    """A list of observers; ``emit`` hands each event to all of them, in order."""

    def __init__(self) -> None:
        self._observers: list[Observer] = []
        self._broken: set[int] = set()

    def subscribe(self, observer: Observer) -> None:
        """Add an observer."""
        self._observers.append(observer)

    def emit(self, event: Event) -> None:
        """Deliver ``event`` to every observer; a failing observer never fails the caller."""
        for observer in self._observers:
            try:
                observer(event)
            except Exception:
                if id(observer) not in self._broken:
                    self._broken.add(id(observer))
                    log.exception("observer %r failed; further failures are not logged", observer)
