"""One search, end to end: validate against the tenant, assemble availability, run the finder, phrase.

The HTTP routes and the ``altslot find`` command both call ``Searcher.search``; neither holds logic.
"""

from __future__ import annotations

import logging
import math
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from altslot.api.schemas import (
    AlternativeOut,
    AlternativesRequest,
    AlternativesResponse,
    FreshnessOut,
    RequestedOut,
    SearchStatsOut,
    UnavailableResponse,
)
from altslot.availability.assembler import Availability, DaysQuery, FetchReport
from altslot.booking.durations import Durations
from altslot.calcom.errors import CalcomError, RateLimited, Unauthorized
from altslot.events import CacheLookup, Events, SearchDone
from altslot.finder.calendar import MAX_AHEAD_DAYS, named_window, search_days
from altslot.finder.models import Language, Policy, SearchRequest, SearchResult, SlotIndex, TimeWindow
from altslot.finder.phrasing import label, phrase, unavailable_text
from altslot.finder.scan import find_alternatives
from altslot.finder.spoken import Register, say_time
from altslot.search.holds import Hold, HoldAsk, Holds
from altslot.shell.tenants import Tenant
from altslot.types import Clock, EventTypeId, Interval
from altslot.upstream import CircuitOpen, Deadline, RateLimitWaitExceeded
from altslot.upstream.gateway import Upstream

log = logging.getLogger("altslot.search")
MAX_PAST = timedelta(days=1)
MAX_FUTURE = timedelta(days=MAX_AHEAD_DAYS)


class NotOwned(Exception):
    """The event type does not belong to the caller's tenant (answered as 404)."""


class InvalidField(Exception):
    """A field is well-formed but unusable (answered as 422 naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


Cause = Literal["unreachable", "rate_limited", "auth"]


@dataclass(frozen=True)
class Unavailable:
    """Nothing usable could be assembled; the route answers 503 with this."""

    body: UnavailableResponse


def _cause(errors: Sequence[CalcomError]) -> tuple[Cause, int]:
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


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


class Searcher:
    """Answers alternatives requests for any tenant, sharing one availability assembler."""

    def __init__(
        self,
        availability: Availability,
        upstream: Upstream,
        clock: Clock,
        deadline_seconds: float,
        max_alts: int,
        events: Events | None = None,
        holds: Holds | None = None,
        durations: Durations | None = None,
    ) -> None:
        self._events = events or Events()
        self._holds = holds
        self._durations = durations
        self._availability = availability
        self._upstream = upstream
        self._clock = clock
        self._deadline = deadline_seconds
        self._max_alternatives = max_alts

    def _request(self, tenant: Tenant, body: AlternativesRequest, now: datetime) -> SearchRequest:
        if not tenant.owns(body.event_type_id):
            raise NotOwned(body.event_type_id)
        zone = ZoneInfo(body.time_zone) if body.time_zone else tenant.policy.zone
        desired = _wall(body.desired_start, zone)
        if desired < now - MAX_PAST:
            raise InvalidField("desired_start", "lies in the past; ask for a time from today on")
        if desired > now + MAX_FUTURE:
            raise InvalidField("desired_start", "lies more than a year ahead")
        window: TimeWindow | None = None
        if isinstance(body.preferred_window, str):
            window = named_window(body.preferred_window)
        elif body.preferred_window is not None:
            window = TimeWindow(body.preferred_window.start, body.preferred_window.end)
        minutes = body.duration_minutes or tenant.event_types.get(body.event_type_id) or 0
        return SearchRequest(
            desired_start=desired,
            duration=timedelta(minutes=minutes),
            max_alternatives=body.max_alternatives or self._max_alternatives,
            language=body.language or tenant.language,
            preferred_window=window,
            exclude=tuple(Interval(_wall(x.start, zone), _wall(x.end, zone)) for x in body.exclude),
        )

    async def search(
        self, tenant: Tenant, body: AlternativesRequest, request_id: str = ""
    ) -> AlternativesResponse | Unavailable:
        """Answer one alternatives request; the caller's own errors raise ``NotOwned`` or ``InvalidField``."""
        started = _time.perf_counter()
        now = self._clock()
        request = self._request(tenant, body, now)
        if body.duration_minutes and self._durations is not None:
            await self._durations.note(tenant, body.event_type_id, body.duration_minutes)
        policy = tenant.policy
        first, last = search_days(request, policy, now)
        minutes = int(request.duration.total_seconds() // 60)
        fetch = self._upstream.slots(tenant, body.event_type_id, body.duration_minutes)
        deadline = min(self._deadline, (body.deadline_ms or 1e9) / 1000)
        budget = self._upstream.guard.deadline(deadline)
        query = DaysQuery(tenant.id, EventTypeId(body.event_type_id), minutes, policy.zone, first, last)
        report = await self._availability.collect(query, fetch, wait_seconds=deadline)
        self._emit_cache(tenant, report)
        if not report.entries and (report.errors or report.timeout_hit):
            self._emit_search(tenant, body, request_id, report, started, None, "unavailable", 503)
            return self.unavailable(tenant, report.errors, request.language, lease_wait=report.waited_for_peer)
        index = report.index(request.duration or None)
        if not request.duration:
            request = replace(request, duration=index.duration)
        held: dict[datetime, Hold] = {}
        if body.hold_minutes and self._holds is not None:
            result, held = await self._hold(tenant, body, request, index, now, budget)
        else:
            result = find_alternatives(request, index, policy, now)
        degraded: Literal["stale", "partial"] | None = None
        if report.errors or report.timeout_hit:
            degraded = "partial"
        elif report.stale_hits and self._availability.upstream_error(tenant.id) is not None:
            degraded = "stale"
        self._emit_search(tenant, body, request_id, report, started, result, degraded, 200)
        register = tenant.voice.spoken_time
        return _response(result, request, policy, now, report, degraded, started, held, register)

    async def _hold(
        self,
        tenant: Tenant,
        body: AlternativesRequest,
        request: SearchRequest,
        index: SlotIndex,
        now: datetime,
        deadline: Deadline,
    ) -> tuple[SearchResult, dict[datetime, Hold]]:
        """Find and hold: a free desired time itself, else the offers (with spares for refused ones).

        Offers Cal.com refuses to hold are dropped (taken meanwhile); offers left unheld by a ceiling or
        the deadline are still offered, without a ``hold_id``.
        """
        assert self._holds is not None and body.hold_minutes is not None
        spare = replace(request, max_alternatives=min(request.max_alternatives + 3, 10))
        result = find_alternatives(spare, index, tenant.policy, now)
        if result.available:
            wanted = [(result.requested, result.requested + request.duration)]
        else:
            wanted = [(a.start, a.end) for a in result.alternatives]
        ask = HoldAsk(body.event_type_id, body.hold_minutes, body.duration_minutes, deadline)
        placed = await self._holds.place(tenant, ask, wanted, 1 if result.available else request.max_alternatives)
        offers = tuple(a for a in result.alternatives if a.start not in placed.refused)
        return replace(result, alternatives=offers[: request.max_alternatives]), placed.held

    def unavailable(
        self, tenant: Tenant, errors: Sequence[CalcomError], language: Language, *, lease_wait: bool = False
    ) -> Unavailable:
        """The 503 answer for these upstream errors: a polite sentence for the caller, the cause logged.

        ``lease_wait``: the deadline passed while waiting for another instance's fetch, not for Cal.com.
        """
        cause, retry = _cause(errors)
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
        text = unavailable_text(cause, language)
        return Unavailable(UnavailableResponse(cause=cause, response_text=text, retry_after_seconds=retry))

    def _emit_cache(self, tenant: Tenant, report: FetchReport) -> None:
        counts: tuple[tuple[Literal["hit", "stale", "miss"], int], ...] = (
            ("hit", report.cache_hits),
            ("stale", report.stale_hits),
            ("miss", report.cache_misses),
        )
        for kind, days in counts:
            if days:
                self._events.emit(CacheLookup(tenant.id, kind, days))

    def _emit_search(
        self,
        tenant: Tenant,
        body: AlternativesRequest,
        request_id: str,
        report: FetchReport,
        started: float,
        result: SearchResult | None,
        degraded: str | None,
        status: int,
    ) -> None:
        offers = result.alternatives if result else ()
        self._events.emit(
            SearchDone(
                tenant=tenant.id,
                request_id=request_id,
                event_type_id=body.event_type_id,
                api_calls_made=report.upstream_calls,
                cache_hits=report.cache_hits + report.stale_hits,
                cache_misses=report.cache_misses,
                stale_hits=report.stale_hits,
                duration_ms=round((_time.perf_counter() - started) * 1000, 3),
                alternatives_found=len(offers),
                strategy_used=offers[0].strategy if offers else None,
                fallback_triggered=any(a.strategy == "next_available" for a in offers),
                timeout_hit=report.timeout_hit,
                degraded=degraded,
                available=bool(result and result.available),
                why_not=result.why_not if result else None,
                status=status,
            )
        )


def _response(
    result: SearchResult,
    request: SearchRequest,
    policy: Policy,
    now: datetime,
    report: FetchReport,
    degraded: Literal["stale", "partial"] | None,
    started: float,
    held: dict[datetime, Hold],
    register: Register,
) -> AlternativesResponse:
    """The JSON answer: offers in the tenant's zone, labels, sentence, freshness and search figures."""
    zone = policy.zone
    mine = held.get(result.requested) if result.available else None
    age = (now - report.as_of).total_seconds() if report.as_of else None
    # Every value below is built here from trusted values, so the models are constructed without
    # re-validation: on the warm path that validation cost as much as the finder.
    return AlternativesResponse.model_construct(
        available=result.available,
        requested=RequestedOut.model_construct(
            start=result.requested.astimezone(zone),
            adjusted_start=result.adjusted_start.astimezone(zone) if result.adjusted_start else None,
            why_not=result.why_not,
            hold_id=mine.hold_id if mine else None,
            held_until=mine.held_until if mine else None,
        ),
        alternatives=[
            AlternativeOut.model_construct(
                start=a.start.astimezone(zone),
                end=a.end.astimezone(zone),
                strategy=a.strategy,
                label=label(a.start, policy, now, request.language),
                spoken_time=say_time(a.start.astimezone(zone), request.language, register),
                score=a.score,
                hold_id=held[a.start].hold_id if a.start in held else None,
                held_until=held[a.start].held_until if a.start in held else None,
            )
            for a in result.alternatives
        ],
        response_text=phrase(result, request, policy, now),
        freshness=FreshnessOut.model_construct(
            as_of=report.as_of,
            age_seconds=None if age is None else max(age, 0.0),
            stale=report.stale_hits > 0,
        ),
        search=SearchStatsOut.model_construct(
            upstream_calls=report.upstream_calls,
            cache_hits=report.cache_hits + report.stale_hits,
            cache_misses=report.cache_misses,
            duration_ms=round((_time.perf_counter() - started) * 1000, 2),
            timeout_hit=report.timeout_hit,
            degraded=degraded,
            strategies_tried=list(result.strategies_tried),
        ),
    )


__all__ = ["InvalidField", "NotOwned", "Searcher", "Unavailable"]
