"""What a search tells the rest of the service: its ``SearchDone`` event, and the 503 an outage is answered with."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from altslot.availability.days import FetchReport
from altslot.calcom.errors import CalcomError, RateLimited, Unauthorized
from altslot.events import Events, SearchDone
from altslot.finder.models import SearchResult
from altslot.finder.phrasing import unavailable_text
from altslot.search.answers import Cause, SearchInput, Unavailable
from altslot.types import Language, Tenant
from altslot.upstream import CircuitOpen, RateLimitWaitExceeded

log = logging.getLogger("altslot.search")


def cause_of(errors: Sequence[CalcomError]) -> tuple[Cause, int]:
    """What the caller should hear, and when to try again, from the errors behind a failed search."""
    for error in errors:
        if isinstance(error, Unauthorized):
            return "auth", 300
        if isinstance(error, RateLimited):
            return "rate_limited", _seconds(error.reset_seconds)
        if isinstance(error, RateLimitWaitExceeded):
            return "rate_limited", _seconds(error.retry_after)
        if isinstance(error, CircuitOpen):
            return "unreachable", _seconds(error.retry_after)
    return "unreachable", 5


def _seconds(value: float) -> int:
    return max(1, math.ceil(value))


class SearchReporter:
    """Emits a search's events and words its outages; the observers (metrics, log line) subscribe to ``events``."""

    def __init__(self, events: Events) -> None:
        self._events = events

    def done(
        self,
        tenant: Tenant,
        wish: SearchInput,
        report: FetchReport,
        duration_ms: float,
        result: SearchResult | None,
        degraded: str | None,
        status: int,
    ) -> None:
        """The ``SearchDone`` event with the seed's log fields."""
        offers = result.alternatives if result else ()
        # In the search line's order (``SEARCH_FIELDS``), so the two read side by side.
        self._events.emit(
            SearchDone(
                tenant=tenant.id,
                request_id=wish.request_id,
                event_type_id=wish.event_type_id,
                status=status,
                api_calls_made=report.upstream_calls,
                cache_hits=report.served_from_cache,
                cache_misses=report.cache_misses,
                stale_hits=report.stale_hits,
                duration_ms=duration_ms,
                alternatives_found=len(offers),
                strategy_used=offers[0].strategy if offers else None,
                fallback_triggered=any(a.strategy == "next_available" for a in offers),
                timeout_hit=report.timeout_hit,
                degraded=degraded,
                available=bool(result and result.available),
                why_not=result.why_not if result else None,
            )
        )

    def unavailable(
        self, tenant: Tenant, errors: Sequence[CalcomError], language: Language, *, lease_wait: bool = False
    ) -> Unavailable:
        """The 503 answer for these upstream errors: a polite sentence for the caller, the cause logged.

        ``lease_wait``: the deadline passed while waiting for another instance's fetch, not for Cal.com.
        """
        cause, retry = cause_of(errors)
        # The caller hears a polite sentence; the operator needs the real reason.
        if lease_wait and not errors:
            log.warning(
                "no answer for %s: deadline passed waiting for another instance's fetch "
                "(the lease holder did not deliver; Cal.com was not asked)",
                tenant.id,
            )
        else:
            log.warning(
                "upstream unavailable for %s: %s",
                tenant.id,
                "; ".join(f"{type(e).__name__}: {e}" for e in errors) or "deadline passed",
            )
        return Unavailable(cause, unavailable_text(cause, language), retry)
