"""Prometheus metrics, fed by ``altslot.events``, on a registry of their own.

Each ``Metrics`` owns a ``CollectorRegistry`` (never the global default), so several apps in one process,
as in tests and benchmarks, do not collide. Label sets are bounded: ``tenant`` is one of the configured
tenant ids (anything else counts as ``other``), ``endpoint`` a fixed route template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from altslot.events import (
    BreakerTransition,
    CacheLookup,
    Event,
    RateLimitWait,
    SearchDone,
    UpstreamCall,
)

OTHER = "other"
# Warm searches answer in well under a millisecond, cold ones wait for Cal.com for seconds.
SEARCH_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UPSTREAM_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0)
WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}
# A path segment with a digit is an id (booking uid, event type), except the API version ("v2").
_ID_SEGMENT = re.compile(r"/(?!v\d+(?:/|\s|$))(?=[^/\s]*\d)[^/{}\s]+")


def endpoint_template(endpoint: str) -> str:
    """``"POST /v2/bookings/ab12/cancel"`` → ``"POST /v2/bookings/{id}/cancel"``: ids are no labels."""
    return _ID_SEGMENT.sub("/{id}", endpoint)


def outcome(event: SearchDone) -> str:
    """How a search ended: ``unavailable`` (503), ``available``, ``alternatives`` or ``none``."""
    if event.status != 200:
        return "unavailable"
    if event.available:
        return "available"
    return "alternatives" if event.alternatives_found else "none"


class SearchLogCounters(Protocol):
    """What a search-log writer reports: rows written, and rows dropped by reason."""

    written: int
    dropped: dict[str, int]


class _SearchLogCollector(Collector):
    """Reads the writer's counters at scrape time, so the write path costs nothing extra."""

    def __init__(self, source: SearchLogCounters) -> None:
        self._source = source

    def collect(self) -> Iterable[Metric]:
        written = CounterMetricFamily("search_log_rows_written", "Search log rows written to the database")
        written.add_metric([], self._source.written)
        dropped = CounterMetricFamily(
            "search_log_rows_dropped",
            "Search log rows dropped (queue full or database error)",
            labels=["reason"],
        )
        for reason, count in sorted(self._source.dropped.items()):
            dropped.add_metric([reason], count)
        return [written, dropped]


class Metrics:
    """The metric families of DESIGN §10 plus outcome counters; ``observe`` is an ``Events`` observer."""

    def __init__(self, tenants: Iterable[str]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._tenants = frozenset(tenants)
        r = self.registry
        self.calls = Counter("calcom_api_calls", "Cal.com HTTP attempts", ["tenant", "endpoint", "status"], registry=r)
        self.errors = Counter(
            "calcom_api_errors", "Cal.com attempts that failed", ["tenant", "endpoint", "error"], registry=r
        )
        self.call_seconds = Histogram(
            "calcom_api_duration_seconds", "Cal.com attempt duration", ["endpoint"],
            buckets=UPSTREAM_BUCKETS, registry=r,
        )  # fmt: skip
        self.rate_limited = Counter("calcom_rate_limited", "429 answers received from Cal.com", ["tenant"], registry=r)
        self.cache = Counter(
            "availability_cache_requests", "Days looked up in the cache", ["tenant", "result"], registry=r
        )
        self.searches = Counter(
            "alternative_searches", "Alternatives searches by outcome", ["tenant", "outcome"], registry=r
        )
        self.search_seconds = Histogram(
            "alternative_search_duration_seconds", "Alternatives search duration", ["tenant"],
            buckets=SEARCH_BUCKETS, registry=r,
        )  # fmt: skip
        self.stale = Counter("alternative_searches_stale", "Answers built on stale cached days", ["tenant"], registry=r)
        self.degraded = Counter("alternative_searches_degraded", "Degraded answers", ["tenant", "degraded"], registry=r)
        self.breaker = Gauge(
            "circuit_breaker_state", "Circuit state: 0 closed, 1 half-open, 2 open", ["tenant"], registry=r
        )
        self.transitions = Counter(
            "circuit_breaker_transitions", "Circuit breaker state changes", ["tenant", "state"], registry=r
        )
        self.waits = Histogram(
            "ratelimit_wait_seconds", "Time a call waited for the client-side rate limiter", ["tenant"],
            buckets=WAIT_BUCKETS, registry=r,
        )  # fmt: skip
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        for tenant in self._tenants:
            self._zero(tenant)

    def _zero(self, tenant: str) -> None:
        # Series that exist from the start let dashboards show 0 instead of "no data".
        for result in ("hit", "stale", "miss"):
            self.cache.labels(tenant, result)
        for name in ("available", "alternatives", "none", "unavailable"):
            self.searches.labels(tenant, name)
        self.search_seconds.labels(tenant)
        self.stale.labels(tenant)
        self.rate_limited.labels(tenant)
        self.breaker.labels(tenant).set(0)
        self.waits.labels(tenant)

    def tenant(self, name: str) -> str:
        """The label for a tenant id: itself when configured, else ``other``."""
        return name if name in self._tenants else OTHER

    def watch_search_log(self, source: SearchLogCounters) -> None:
        """Expose a search-log writer's counters."""
        self.registry.register(_SearchLogCollector(source))

    def observe(self, event: Event) -> None:
        """Update the metrics an event moves."""
        match event:
            case SearchDone():
                self._search(event)
            case CacheLookup():
                self._cache(event)
            case UpstreamCall():
                self._upstream(event)
            case BreakerTransition():
                self._transition(event)
            case RateLimitWait():
                self._wait(event)

    def _search(self, event: SearchDone) -> None:
        tenant = self.tenant(event.tenant)
        self.searches.labels(tenant, outcome(event)).inc()
        self.search_seconds.labels(tenant).observe(event.duration_ms / 1000)
        if event.stale_hits:
            self.stale.labels(tenant).inc()
        if event.degraded:
            self.degraded.labels(tenant, event.degraded).inc()

    def _cache(self, event: CacheLookup) -> None:
        self.cache.labels(self.tenant(event.tenant), event.result).inc(event.days)

    def _upstream(self, event: UpstreamCall) -> None:
        tenant = self.tenant(event.tenant)
        endpoint = endpoint_template(event.endpoint)
        status = str(event.status) if event.status is not None else "none"
        self.calls.labels(tenant, endpoint, status).inc()
        self.call_seconds.labels(endpoint).observe(event.duration_seconds)
        if event.error is not None:
            self.errors.labels(tenant, endpoint, event.error).inc()
        if event.status == 429:
            self.rate_limited.labels(tenant).inc()

    def _transition(self, event: BreakerTransition) -> None:
        tenant = self.tenant(event.tenant)
        self.breaker.labels(tenant).set(BREAKER_STATES[event.state])
        self.transitions.labels(tenant, event.state).inc()

    def _wait(self, event: RateLimitWait) -> None:
        self.waits.labels(self.tenant(event.tenant)).observe(event.seconds)

    def render(self) -> bytes:
        """The registry in Prometheus text format."""
        return generate_latest(self.registry)


def metric_names(text: str) -> Iterator[str]:
    """Every family and sample name in a Prometheus text exposition (for checks of dashboards)."""
    for line in text.splitlines():
        if line.startswith(("# HELP ", "# TYPE ")):
            yield line.split()[2]
        elif line and not line.startswith("#"):
            yield re.split(r"[{\s]", line, maxsplit=1)[0]
