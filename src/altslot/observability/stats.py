"""``altslot stats``: the seed's Appendix C questions, asked of the search log.

``report`` queries and returns plain values; ``render`` turns them into text tables. Both are portable
SQL through SQLAlchemy Core, so SQLite and PostgreSQL give the same answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, inspect, select

from altslot.observability.searchtable import SearchLog, utc_now
from altslot.observability.settings import ObservabilitySettings

_SPAN = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str) -> timedelta:
    """``"90s"``, ``"30m"``, ``"1h"``, ``"2d"`` or ``"1w"`` as a duration (ValueError otherwise)."""
    match = _SPAN.match(value)
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"{value!r} is not a duration like 30m, 1h or 2d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True)
class Summary:
    """Totals for one tenant (or ``*`` for all): the seed's cache-performance query and more."""

    tenant: str
    searches: int
    cache_hit_searches: int
    hit_ratio: float | None
    day_hit_ratio: float | None
    avg_duration_ms: float | None
    max_duration_ms: float | None
    api_calls: int
    degraded: int
    degraded_share: float | None
    stale: int
    unavailable: int


@dataclass(frozen=True)
class CallBucket:
    """The seed's API-call distribution: searches that made ``api_calls_made`` calls."""

    api_calls_made: int
    frequency: int
    avg_duration_ms: float


@dataclass(frozen=True)
class Report:
    """Everything ``altslot stats`` prints."""

    since: datetime
    tenant: str | None
    totals: list[Summary] = field(default_factory=list)
    api_calls: list[CallBucket] = field(default_factory=list)
    strategies: list[tuple[str, int]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        out = asdict(self)
        out["since"] = self.since.isoformat() + "Z"
        return out


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def report(log: SearchLog, since: timedelta, tenant: str | None = None, now: datetime | None = None) -> Report:
    """Totals per tenant and overall, API calls per search and strategies, over the last ``since``."""
    start = (now or utc_now()) - since
    result = Report(since=start, tenant=tenant)
    if not inspect(log.engine).has_table(log.table.name):
        return result
    t = log.table
    where = [t.c.created_at >= start] + ([t.c.tenant == tenant] if tenant else [])
    columns = (
        func.count(),
        _count(t.c.cache_hit),
        func.avg(t.c.duration_ms),
        func.max(t.c.duration_ms),
        func.coalesce(func.sum(t.c.api_calls_made), 0),
        func.coalesce(func.sum(t.c.cache_hits), 0),
        func.coalesce(func.sum(t.c.cache_misses), 0),
        _count(t.c.degraded.is_not(None)),
        _count(t.c.stale_hits > 0),
        _count(t.c.status != 200),
    )
    with log.engine.connect() as conn:
        per_tenant = conn.execute(select(t.c.tenant, *columns).where(*where).group_by(t.c.tenant)).all()
        overall = conn.execute(select(*columns).where(*where)).one()
        calls = conn.execute(
            select(t.c.api_calls_made, func.count(), func.avg(t.c.duration_ms))
            .where(*where)
            .group_by(t.c.api_calls_made)
            .order_by(t.c.api_calls_made)
        ).all()
        strategies = conn.execute(
            select(func.coalesce(t.c.strategy_used, "(none)"), func.count())
            .where(*where)
            .group_by(t.c.strategy_used)
            .order_by(func.count().desc())
        ).all()
    rows = sorted(per_tenant, key=lambda r: str(r[0]))
    result.totals.extend(_summary(str(r[0]), tuple(r[1:])) for r in rows)
    if len(rows) != 1 and overall[0]:
        result.totals.append(_summary("*", tuple(overall)))
    result.api_calls.extend(CallBucket(int(c), int(n), round(float(avg), 2)) for c, n, avg in calls)
    result.strategies.extend((str(s), int(n)) for s, n in strategies)
    return result


def _summary(tenant: str, row: tuple[Any, ...]) -> Summary:
    searches, hits, avg, peak, api, day_hits, day_misses, degraded, stale, unavailable = row
    searches, hits, degraded = int(searches), int(hits), int(degraded)
    days = int(day_hits) + int(day_misses)
    return Summary(
        tenant=tenant,
        searches=searches,
        cache_hit_searches=hits,
        hit_ratio=_share(hits, searches),
        day_hit_ratio=_share(int(day_hits), days),
        avg_duration_ms=None if avg is None else round(float(avg), 2),
        max_duration_ms=None if peak is None else round(float(peak), 2),
        api_calls=int(api),
        degraded=degraded,
        degraded_share=_share(degraded, searches),
        stale=int(stale),
        unavailable=int(unavailable),
    )


def _table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join
    return [
        title,
        line(h.rjust(w) for h, w in zip(header, widths, strict=True)),
        line("-" * w for w in widths),
        *(line(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows),
        "",
    ]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render(result: Report) -> str:
    """The report as text tables."""
    scope = f" for tenant {result.tenant}" if result.tenant else ""
    head = f"Searches since {result.since:%Y-%m-%d %H:%M:%S} UTC{scope}"
    if not result.totals:
        return f"{head}: none logged.\n"
    totals = [
        [
            s.tenant,
            str(s.searches),
            _pct(s.hit_ratio),
            _pct(s.day_hit_ratio),
            _ms(s.avg_duration_ms),
            _ms(s.max_duration_ms),
            str(s.api_calls),
            _pct(s.degraded_share),
            _pct(_share(s.stale, s.searches)),
            str(s.unavailable),
        ]
        for s in result.totals
    ]
    header = ["tenant", "searches", "hit ratio", "day hits", "avg ms", "max ms", "api calls"]
    lines = [head, ""]
    lines += _table("Totals", [*header, "degraded", "stale", "503s"], totals)
    calls = [[str(b.api_calls_made), str(b.frequency), _ms(b.avg_duration_ms)] for b in result.api_calls]
    lines += _table("API calls per search", ["api_calls_made", "frequency", "avg ms"], calls)
    strategies = [[name, str(count)] for name, count in result.strategies]
    lines += _table("First offer's strategy", ["strategy", "searches"], strategies)
    return "\n".join(lines)


def run_stats(settings: ObservabilitySettings, since: timedelta, tenant: str | None, *, as_json: bool = False) -> str:
    """The ``altslot stats`` output; LookupError (one line) when the search log cannot be read."""
    if not settings.search_log_url:
        raise LookupError("config: observability.search_log_url is empty, so no searches are logged")
    log = SearchLog(settings.search_log_url, settings.search_log_table)
    try:
        result = report(log, since, tenant)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LookupError(f"search log {log.engine.url.render_as_string()}: {first}") from exc
    finally:
        log.close()
    return json.dumps(result.as_json(), indent=2) + "\n" if as_json else render(result)
