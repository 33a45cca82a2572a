"""Prometheus metrics, fed by ``altslot.events``, on a registry of their own.

Each ``Metrics`` owns a ``CollectorRegistry`` (never the global default), so several apps in one process,
as in tests and benchmarks, do not collide. Label sets are bounded (``labels``): ``tenant`` is one of the
configured tenant ids (anything else counts as ``other``), endpoints and routes are templates, and every
series exists at zero from start-up, so ``increase()`` counts the first event too. Under
``altslot serve`` the values live in ``$PROMETHEUS_MULTIPROC_DIR`` and a scrape sums all workers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from altslot.events import (
    AgentCall,
    BookingDone,
    BreakerTransition,
    Event,
    RateLimitWait,
    RequestServed,
    SearchDone,
    UpstreamCall,
    WebhookDelivery,
)
from altslot.observability import labels as L
from altslot.observability.workers import WORKERS, WORKERS_HELP, check_multiprocess, retire, scrape_registry

# Warm searches answer in well under a millisecond, cold ones wait for Cal.com for seconds.
SEARCH_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UPSTREAM_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0)
WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
OTHER = L.OTHER
BREAKER_STATES = L.BREAKER_STATES
endpoint_template = L.endpoint_template
Family = TypeVar("Family", Counter, Gauge, Histogram)


def outcome(event: SearchDone) -> str:
    """How a search ended: ``unavailable`` (503), ``available``, ``alternatives`` or ``none``."""
    if event.status != 200:
        return "unavailable"
    if event.available:
        return "available"
    return "alternatives" if event.alternatives_found else "none"


class _Children(Generic[Family]):
    """A family's children by label values: ``family.labels`` runs once per label set, a dict answers after.

    ``labels`` checks and locks on every call (µs each, several per search). Label values are bounded
    (``labels``), so this dict is as bounded as the family's own.
    """

    def __init__(self, family: Family) -> None:
        self.family: Family = family
        self._known: dict[tuple[str, ...], Family] = {}

    def labels(self, *values: str) -> Family:
        """The child for ``values``, created at zero the first time (as ``family.labels`` does)."""
        try:
            return self._known[values]
        except KeyError:
            child: Family = self.family.labels(*values)
            self._known[values] = child
            return child


class Metrics:
    """The metric families of DESIGN §10 plus outcome counters; ``observe`` is an ``Events`` observer."""

    def __init__(self, tenants: Iterable[str], *, multiprocess_dir: str | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._tenants = frozenset(tenants)
        self._multiprocess = Path(multiprocess_dir) if multiprocess_dir else None
        if self._multiprocess is not None:
            check_multiprocess(self._multiprocess)
        self._routes: dict[str, bool] = {}
        self._declare_families()
        if self._multiprocess is None:  # with several workers, ``WorkerProcesses`` reports the whole group
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)
            Gauge(WORKERS, WORKERS_HELP, registry=self.registry).set(1)
        for tenant in sorted(self._tenants):
            self._zero(tenant)
        for reason in L.SEARCH_LOG_DROPS:
            self.log_dropped.labels(reason)

    def _counter(self, name: str, documentation: str, labelnames: Sequence[str]) -> _Children[Counter]:
        return _Children(Counter(name, documentation, labelnames, registry=self.registry))

    def _histogram(
        self, name: str, documentation: str, labelnames: Sequence[str], *, buckets: Sequence[float]
    ) -> _Children[Histogram]:
        return _Children(Histogram(name, documentation, labelnames, registry=self.registry, buckets=buckets))

    def _declare_families(self) -> None:
        counter, histogram = self._counter, self._histogram
        self.calls = counter("calcom_api_calls", "Cal.com HTTP attempts", ["tenant", "endpoint", "status"])
        self.errors = counter("calcom_api_errors", "Cal.com attempts that failed", ["tenant", "endpoint", "error"])
        self.call_seconds = histogram(
            "calcom_api_duration_seconds", "Cal.com attempt duration", ["endpoint"], buckets=UPSTREAM_BUCKETS
        )
        self.rate_limited = counter("calcom_rate_limited", "429 answers received from Cal.com", ["tenant"])
        self.cache = counter("availability_cache_requests", "Days looked up in the cache", ["tenant", "result"])
        self.searches = counter("alternative_searches", "Alternatives searches by outcome", ["tenant", "outcome"])
        self.search_seconds = histogram(
            "alternative_search_duration_seconds", "Alternatives search duration", ["tenant"], buckets=SEARCH_BUCKETS
        )
        self.stale = counter("alternative_searches_stale", "Answers built on stale cached days", ["tenant"])
        self.degraded = counter(
            "alternative_searches_degraded",
            "Degraded answers: stale, partial or unavailable (503)",
            ["tenant", "degraded"],
        )
        # The worst state any live worker sees (each worker has its own circuit unless it lives in Redis).
        self.breaker = _Children(
            Gauge(
                "circuit_breaker_state",
                "Circuit state: 0 closed, 1 half-open, 2 open",
                ["tenant"],
                registry=self.registry,
                multiprocess_mode="livemax",
            )
        )
        self.transitions = counter("circuit_breaker_transitions", "Circuit breaker state changes", ["tenant", "state"])
        self.waits = histogram(
            "ratelimit_wait_seconds",
            "Time a call waited for the client-side rate limiter",
            ["tenant"],
            buckets=WAIT_BUCKETS,
        )
        self.requests = counter("http_requests", "Answers of altslot's HTTP API", ["route", "status", "tenant"])
        self.request_seconds = histogram(
            "http_request_duration_seconds", "Time to answer an HTTP request", ["route"], buckets=SEARCH_BUCKETS
        )
        self.bookings = counter(
            "bookings", "Booking requests by operation and outcome", ["tenant", "operation", "outcome"]
        )
        self.holds = counter("holds", "Slot holds placed, refused and released", ["tenant", "outcome"])
        self.webhooks = counter("webhook_deliveries", "Cal.com webhook deliveries", ["tenant", "outcome"])
        self.agent_calls = counter(
            "agent_calls", "Tool calls through the agent adapters", ["tenant", "platform", "outcome"]
        )
        self.log_written = Counter(
            "search_log_rows_written", "Search log rows written to the database", registry=self.registry
        )
        self.log_dropped = counter(
            "search_log_rows_dropped", "Search log rows dropped (queue full or database error)", ["reason"]
        )

    def _zero(self, tenant: str) -> None:
        for result in L.CACHE_RESULTS:
            self.cache.labels(tenant, result)
        for name in L.SEARCH_OUTCOMES:
            self.searches.labels(tenant, name)
        for degraded in L.DEGRADED:
            self.degraded.labels(tenant, degraded)
        self.search_seconds.labels(tenant)
        self.stale.labels(tenant)
        self.rate_limited.labels(tenant)
        self.breaker.labels(tenant).set(0)
        for state in L.BREAKER_STATES:
            self.transitions.labels(tenant, state)
        self.waits.labels(tenant)
        for endpoint in L.CALCOM_ENDPOINTS:
            self.call_seconds.labels(endpoint)
            for status in L.CALCOM_STATUSES:
                self.calls.labels(tenant, endpoint, status)
            for error in L.CALCOM_ERRORS:
                self.errors.labels(tenant, endpoint, error)
        for operation, outcomes in L.BOOKING_OUTCOMES.items():
            for name in outcomes:
                self.bookings.labels(tenant, operation, name)
        for name in L.HOLD_OUTCOMES:
            self.holds.labels(tenant, name)
        for name in L.WEBHOOK_OUTCOMES:
            self.webhooks.labels(tenant, name)
        self.webhooks.labels(OTHER, "unknown_tenant")
        for platform in L.AGENT_PLATFORMS:
            for name in L.AGENT_OUTCOMES:
                self.agent_calls.labels(tenant, platform, name)

    def expect_routes(self, routes: Mapping[str, tuple[Sequence[int], bool]]) -> None:
        """Create each route's request series at zero: ``route`` → (its statuses, whether it has tenants)."""
        for route, (statuses, tenanted) in routes.items():
            self._routes[route] = tenanted
            self.request_seconds.labels(route)
            for status in statuses:
                for tenant in (*sorted(self._tenants), OTHER) if tenanted else (OTHER,):
                    self.requests.labels(route, str(status), tenant)
        self.requests.labels(OTHER, "404", OTHER)
        self.request_seconds.labels(OTHER)

    def tenant(self, name: str | None) -> str:
        """The label for a tenant id: itself when configured, else ``other``."""
        return name if name in self._tenants else OTHER

    def search_log_rows(self, kind: str, rows: int) -> None:
        """Count search-log rows: ``written``, or dropped for ``queue_full`` / ``db_error``."""
        if kind == "written":
            self.log_written.inc(rows)
        else:
            self.log_dropped.labels(kind).inc(rows)

    def observe(self, event: Event) -> None:
        """Update the metrics an event moves."""
        match event:
            case SearchDone():
                self._search(event)
            case UpstreamCall():
                self._upstream(event)
            case BreakerTransition():
                tenant = self.tenant(event.tenant)
                self.breaker.labels(tenant).set(BREAKER_STATES[event.state])
                if event.caused:  # each transition of a shared circuit counted once, by the instance that made it
                    self.transitions.labels(tenant, event.state).inc()
            case RateLimitWait():
                self.waits.labels(self.tenant(event.tenant)).observe(event.seconds)
            case RequestServed():
                route = event.route if event.route in self._routes else OTHER
                self.requests.labels(route, str(event.status), self.tenant(event.tenant)).inc()
                self.request_seconds.labels(route).observe(event.seconds)
            case BookingDone():
                self.bookings.labels(self.tenant(event.tenant), event.operation, event.outcome).inc()
            case WebhookDelivery():
                self.webhooks.labels(self.tenant(event.tenant), event.outcome).inc()
            case AgentCall():
                self.agent_calls.labels(self.tenant(event.tenant), event.platform, event.outcome).inc()

    def _search(self, event: SearchDone) -> None:
        tenant = self.tenant(event.tenant)
        self.searches.labels(tenant, outcome(event)).inc()
        self.search_seconds.labels(tenant).observe(event.duration_ms / 1000)
        # Days by how the cache had them; ``cache_hits`` counts every day served from it, stale ones included.
        if event.cache_hits > event.stale_hits:
            self.cache.labels(tenant, "hit").inc(event.cache_hits - event.stale_hits)
        if event.stale_hits:
            self.cache.labels(tenant, "stale").inc(event.stale_hits)
            self.stale.labels(tenant).inc()
        if event.cache_misses:
            self.cache.labels(tenant, "miss").inc(event.cache_misses)
        if event.degraded:
            self.degraded.labels(tenant, event.degraded).inc()

    def _upstream(self, event: UpstreamCall) -> None:
        tenant = self.tenant(event.tenant)
        endpoint = endpoint_template(event.endpoint)
        self.calls.labels(tenant, endpoint, L.calcom_status(event.status)).inc()
        self.call_seconds.labels(endpoint).observe(event.duration_seconds)
        if event.error is not None and event.error not in L.NOT_FAILURES:
            self.errors.labels(tenant, endpoint, event.error).inc()
        if event.status == 429:
            self.rate_limited.labels(tenant).inc()
        held = L.hold_outcome(endpoint, event.error)
        if held is not None:
            self.holds.labels(tenant, held).inc()

    def render(self) -> bytes:
        """The metrics in Prometheus text format (under serve: summed over every worker)."""
        if self._multiprocess is not None:
            return generate_latest(scrape_registry(self._multiprocess))
        return generate_latest(self.registry)

    def close(self) -> None:
        """Leave the process group's live gauges (call when the worker stops)."""
        if self._multiprocess is not None:
            retire(self._multiprocess)


def metric_names(text: str) -> Iterator[str]:
    """Every family and sample name in a Prometheus text exposition (for checks of dashboards)."""
    for line in text.splitlines():
        if line.startswith(("# HELP ", "# TYPE ")):
            yield line.split()[2]
        elif line and not line.startswith("#"):
            yield re.split(r"[{\s]", line, maxsplit=1)[0]
