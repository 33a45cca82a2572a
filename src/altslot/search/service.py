"""One search, end to end: check the wish against the tenant, assemble availability, run the finder, hold, say it.

``Searcher.search(tenant, SearchInput) -> SearchAnswer | Unavailable`` is what the HTTP API, the agent tools,
the booking path's 409 and ``altslot find`` call; each only translates its own wire form.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import KW_ONLY, InitVar, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from altslot.availability.assembler import Availability
from altslot.availability.days import DaysQuery, FetchReport
from altslot.availability.durations import Durations
from altslot.errors import InvalidField, NotOwned
from altslot.events import Events
from altslot.finder.calendar import MAX_AHEAD_DAYS, next_midnight, search_days
from altslot.finder.models import SearchRequest, SearchResult, SlotIndex
from altslot.finder.scan import find_alternatives
from altslot.finder.validity import valid_until
from altslot.search.answers import Degraded, Hold, SearchAnswer, SearchInput, Unavailable
from altslot.search.compose import Said, compose, say
from altslot.search.holds import HoldAsk, Holds
from altslot.search.reporting import SearchReporter
from altslot.types import Clock, Interval, Monotonic, Tenant, TenantId
from altslot.upstream.deadline import Deadline

MAX_PAST = timedelta(days=1)
MAX_FUTURE = timedelta(days=MAX_AHEAD_DAYS)
SPARE_OFFERS = 3
"""Extra candidates found when holding, to replace offers Cal.com refuses to hold (taken meanwhile)."""
PLANS_MAX = 4096
"""Wishes worked out into a request and a horizon (with their latest finding), kept for reuse (most recently used)."""


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


@dataclass(frozen=True, slots=True)
class SearchLimits:
    """The service-wide bounds of a search: how long it may wait and how many offers it makes by default."""

    deadline_seconds: float
    max_alternatives: int


@dataclass(slots=True)
class _Plan:
    """A wish worked out for one tenant: the finder's request and the horizon to read, valid from ``made`` to ``until``.

    Both depend on the clock only through today's date (the horizon, the booking limit) and whether the wish lies
    more than ``MAX_PAST`` back (a wish once not too far ahead stays so), hence ``until``. ``found`` is the latest
    finding in words with the index it was found on and the instant it stops being the answer (``valid_until``).
    """

    tenant: Tenant
    request: SearchRequest
    query: DaysQuery
    made: datetime
    until: datetime
    found: tuple[SlotIndex, datetime, Said] | None = None


@dataclass(eq=False)
class Searcher:
    """Answers wishes for any tenant, sharing one availability assembler."""

    availability: Availability
    clock: Clock
    limits: SearchLimits
    _: KW_ONLY
    events: InitVar[Events | None] = None
    holds: Holds | None = None
    durations: Durations | None = None
    monotonic: Monotonic = time.monotonic
    reporter: SearchReporter = field(init=False)
    _plans: OrderedDict[tuple[TenantId, SearchInput], _Plan] = field(init=False, default_factory=OrderedDict)

    def __post_init__(self, events: Events | None) -> None:
        self.reporter = SearchReporter(events or Events())

    def request(self, tenant: Tenant, wish: SearchInput, now: datetime) -> SearchRequest:
        """The finder's request for a wish; ``NotOwned`` or ``InvalidField`` for the caller's mistakes."""
        if not tenant.owns(wish.event_type_id):
            raise NotOwned(wish.event_type_id)
        zone = ZoneInfo(wish.time_zone) if wish.time_zone else tenant.policy.zone
        desired = _wall(wish.desired_start, zone)
        if desired < now - MAX_PAST:
            raise InvalidField("desired_start", "lies in the past; ask for a time from today on")
        if desired > now + MAX_FUTURE:
            raise InvalidField("desired_start", "lies more than a year ahead")
        minutes = wish.duration_minutes or tenant.event_types.get(wish.event_type_id) or 0
        return SearchRequest(
            desired_start=desired,
            duration=timedelta(minutes=minutes),
            max_alternatives=wish.max_alternatives or self.limits.max_alternatives,
            language=wish.language or tenant.language,
            preferred_window=wish.preferred_window,
            exclude=tuple(Interval(_wall(x.start, zone), _wall(x.end, zone)) for x in wish.exclude),
        )

    async def search(self, tenant: Tenant, wish: SearchInput) -> SearchAnswer | Unavailable:
        """Answer one wish; the caller's own errors raise ``NotOwned`` or ``InvalidField`` (``altslot.errors``)."""
        started = time.perf_counter()
        now = self.clock()
        plan = self._plan(tenant, wish, now)
        request, query = plan.request, plan.query
        if wish.duration_minutes and self.durations is not None:
            await self.durations.note(tenant, wish.event_type_id, wish.duration_minutes)
        wait = min(self.limits.deadline_seconds, (wish.deadline_ms or 1e9) / 1000)
        deadline = Deadline.after(wait, self.monotonic)
        report = await self.availability.collect(query, wait_seconds=wait)
        if not report.entries and (report.errors or report.timeout_hit):
            self.reporter.done(tenant, wish, report, _elapsed(started), None, "unavailable", 503)
            return self.reporter.unavailable(tenant, report.errors, request.language, lease_wait=report.waited_for_peer)
        index = self.availability.index(query, report, request.duration or None)
        if not request.duration:
            request = replace(request, duration=index.duration)
        held: dict[datetime, Hold] = {}
        if wish.hold_minutes and self.holds is not None:
            ask = HoldAsk(wish.event_type_id, wish.hold_minutes, wish.duration_minutes, deadline)
            result, held = await self._hold(tenant, ask, request, index, now)
            said = say(tenant, result, request, now, held)
        else:
            said = self._found(tenant, plan, request, index, now)
        degraded = _degraded(report)
        elapsed = _elapsed(started)
        self.reporter.done(tenant, wish, report, elapsed, said.result, degraded, 200)
        return compose(said, now, report, degraded, elapsed, held)

    def _plan(self, tenant: Tenant, wish: SearchInput, now: datetime) -> _Plan:
        """The wish's request and horizon, reused for the same wish while the clock keeps them (see ``_Plan``)."""
        memo = (tenant.id, wish)
        found = self._plans.get(memo)
        if found is not None and found.tenant is tenant and found.made <= now < found.until:
            self._plans.move_to_end(memo)
            return found
        request = self.request(tenant, wish, now)
        first, last = search_days(request, tenant.policy, now)
        minutes = tenant.slot_minutes(wish.event_type_id, wish.duration_minutes)
        query = DaysQuery.of(tenant, wish.event_type_id, first, last, minutes)
        until = min(next_midnight(now, tenant.policy), request.desired_start.astimezone(UTC) + MAX_PAST)
        plan = self._plans[memo] = _Plan(tenant, request, query, now, until)
        if len(self._plans) > PLANS_MAX:
            self._plans.popitem(last=False)
        return plan

    def _found(self, tenant: Tenant, plan: _Plan, request: SearchRequest, index: SlotIndex, now: datetime) -> Said:
        """The finder's result in words, reused while neither the index nor anything the clock decides changed."""
        found = plan.found
        if found is not None and found[0] is index and now < found[1]:
            return found[2]
        said = say(tenant, find_alternatives(request, index, tenant.policy, now), request, now)
        until = valid_until(request, index, tenant.policy, now)
        plan.found = None if until is None else (index, until, said)
        return said

    async def _hold(
        self, tenant: Tenant, ask: HoldAsk, request: SearchRequest, index: SlotIndex, now: datetime
    ) -> tuple[SearchResult, dict[datetime, Hold]]:
        """Find and hold: a free desired time itself, else the offers (with spares for refused ones).

        Offers Cal.com refuses to hold are dropped (taken meanwhile); offers left unheld by a ceiling or
        the deadline are still offered, without a ``hold_id``.
        """
        assert self.holds is not None
        spare = replace(request, max_alternatives=min(request.max_alternatives + SPARE_OFFERS, 10))
        result = find_alternatives(spare, index, tenant.policy, now)
        if result.available:
            wanted = [(result.requested, result.requested + request.duration)]
        else:
            wanted = [(a.start, a.end) for a in result.alternatives]
        placed = await self.holds.place(tenant, ask, wanted, 1 if result.available else request.max_alternatives)
        offers = tuple(a for a in result.alternatives if a.start not in placed.refused)
        return replace(result, alternatives=offers[: request.max_alternatives]), placed.held


def _degraded(report: FetchReport) -> Degraded | None:
    """``partial`` when days are missing, ``stale`` when stale days are all there is while Cal.com fails."""
    if report.errors or report.timeout_hit:
        return "partial"
    return "stale" if report.stale_hits and report.upstream_failing else None


def _elapsed(started: float) -> float:
    """Milliseconds since ``started``, rounded once so the log line and the answer agree."""
    return round((time.perf_counter() - started) * 1000, 3)
