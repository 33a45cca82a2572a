"""The answer to a wish in words: offers in the tenant's zone with labels and spoken times, the sentence, the figures.

Labels and spoken times are worked out for the offers alone, never for candidates the finder dropped. What is
said depends on the clock only through today's date, so a ``Said`` can be reused as long as its result is
(``altslot.finder.validity``); the figures are every answer's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from altslot.availability.days import FetchReport
from altslot.finder.models import SearchRequest, SearchResult
from altslot.finder.phrasing import label, phrase
from altslot.finder.spoken import say_time
from altslot.search.answers import Degraded, Figures, Hold, Offer, SearchAnswer
from altslot.types import Tenant


@dataclass(frozen=True, slots=True)
class Said:
    """A finder result in words: its offers labelled, their times spoken, and the sentence."""

    result: SearchResult
    offers: tuple[Offer, ...]
    text: str


def say(
    tenant: Tenant,
    result: SearchResult,
    request: SearchRequest,
    now: datetime,
    held: dict[datetime, Hold] | None = None,
) -> Said:
    """The finder's ``result`` in the caller's language; ``held`` maps offered starts to their holds."""
    policy, language, register = tenant.policy, request.language, tenant.voice.spoken_time
    labels = [label(a.start, policy, now, language) for a in result.alternatives]
    offers = tuple(
        Offer(
            start=a.start,
            end=a.end,
            strategy=a.strategy,
            score=a.score,
            label=said,
            spoken_time=say_time(a.start, language, register),
            hold=held.get(a.start) if held else None,
        )
        for a, said in zip(result.alternatives, labels, strict=True)
    )
    return Said(result, offers, phrase(result, request, policy, now, labels))


def compose(
    said: Said,
    now: datetime,
    report: FetchReport,
    degraded: Degraded | None,
    duration_ms: float,
    held: dict[datetime, Hold] | None = None,
) -> SearchAnswer:
    """The ``SearchAnswer``: what is said, with the figures of how this answer was assembled."""
    age = (now - report.as_of).total_seconds() if report.as_of else None
    figures = Figures(
        upstream_calls=report.upstream_calls,
        cache_hits=report.served_from_cache,
        cache_misses=report.cache_misses,
        duration_ms=duration_ms,
        timeout_hit=report.timeout_hit,
        degraded=degraded,
        as_of=report.as_of,
        age_seconds=None if age is None else max(age, 0.0),
        stale=report.stale_hits > 0,
    )
    result = said.result
    requested_hold = held.get(result.requested) if held and result.available else None
    return SearchAnswer(result, said.offers, said.text, figures, requested_hold)
