"""The values a search takes and gives: the caller's wish in, offers with their words and figures out.

These are plain values: the HTTP API (``altslot.api.present``), the agent tools and the booking path all
speak them, and each turns them into its own wire form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from altslot.finder.models import Alternative, SearchResult, TimeWindow
from altslot.types import Interval, Language

Cause = Literal["unreachable", "rate_limited", "auth"]
Degraded = Literal["stale", "partial"]


@dataclass(frozen=True, slots=True)
class SearchInput:
    """One wish. Naive datetimes (``desired_start``, ``exclude``) are wall time in ``time_zone``."""

    event_type_id: int
    desired_start: datetime
    time_zone: str | None = None
    """IANA zone of naive times; None: the tenant's."""
    duration_minutes: int | None = None
    """None: the event type's own length."""
    max_alternatives: int | None = None
    language: Language | None = None
    preferred_window: TimeWindow | None = None
    exclude: tuple[Interval, ...] = ()
    deadline_ms: int | None = None
    hold_minutes: int | None = None
    request_id: str = field(default="", compare=False)
    """Names the request, not the wish: two wishes that differ only here are equal (and hash alike)."""


@dataclass(frozen=True, slots=True)
class Hold:
    """One slot reserved at Cal.com for the caller until ``held_until``."""

    start: datetime
    end: datetime
    hold_id: str
    held_until: datetime


@dataclass(frozen=True, slots=True)
class Offer(Alternative):
    """One alternative as the caller hears it: in the tenant's zone, labelled, its clock time in words."""

    label: str
    spoken_time: str
    hold: Hold | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """How the answer was assembled: upstream calls, cache use, time and what was degraded."""

    upstream_calls: int
    cache_hits: int
    """Fresh and stale days together (every day that needed no call)."""
    cache_misses: int
    duration_ms: float
    timeout_hit: bool
    degraded: Degraded | None
    as_of: datetime | None
    """When the oldest day behind the answer was fetched."""
    age_seconds: float | None
    stale: bool


@dataclass(frozen=True, slots=True)
class SearchAnswer:
    """The answer to a wish: the finder's result, the offers in words, the sentence to speak, the figures."""

    result: SearchResult
    offers: tuple[Offer, ...]
    text: str
    figures: Figures
    requested_hold: Hold | None = None
    """The hold on the desired time itself, when it was free and holds were asked for."""


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Nothing usable could be assembled (Cal.com down, rate limited, refusing the key): a polite 503."""

    cause: Cause
    text: str
    retry_after_seconds: int
