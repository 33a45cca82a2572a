"""The growth benchmark's tables and its "complexity seen" lines, worked out from the figures alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Points = Sequence[tuple[float, float]]
"""(work, cost) pairs, smallest work first."""
LINEAR = (0.8, 1.25)
"""Exponents ``k`` of ``cost = fixed + b·nᵏ`` still called linear; below is slower, above faster than linear."""
_EXPONENTS = [step / 20 for step in range(4, 81)]  # 0.20 … 4.00


def fit(points: Points) -> tuple[float, float, float]:
    """Least-squares line through ``points``: (intercept, slope, R²)."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for _, y in points)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    return intercept, slope, (1 - residual / total) if total else 1.0


def exponent(points: Points) -> float | None:
    """The ``k`` of ``cost = fixed + b·nᵏ`` (b > 0) that fits ``points`` best, or None when cost does not grow.

    A fixed part is what every search pays whatever the work; ``k`` describes only the part that grows,
    which a plain log-log slope would mix with the fixed part.
    """
    best: tuple[float, float] | None = None
    for k in _EXPONENTS:
        fixed, slope, _ = fit([(x**k, y) for x, y in points])
        residual = sum((y - fixed - slope * x**k) ** 2 for x, y in points)
        if slope > 0 and (best is None or residual < best[0]):
            best = (residual, k)
    return None if best is None else best[1]


def shape(points: Points) -> str:
    """``linear``, ``faster than linear`` or ``slower than linear``, from the exponent of the growing part."""
    k = exponent(points)
    if k is None or points[-1][1] <= points[0][1]:
        return "no growth seen (it is within the noise)"
    where = f"fixed + b·n^{k:.2f}"
    if k > LINEAR[1]:
        return f"faster than linear ({where})"
    if k < LINEAR[0]:
        return f"slower than linear ({where})"
    return f"linear ({where})"


def complexity(points: Points, calls: Points, unit: str) -> dict[str, Any]:
    """Warm in-process p50 (ms) and function calls per search against the work: fixed part, growth per unit, shape."""
    intercept, slope, r2 = fit(points)
    _, calls_slope, calls_r2 = fit(calls)
    verdict, calls_verdict = shape(points), shape(calls)
    line = (
        f"Complexity seen (in process): p50 {intercept * 1000:.0f} µs fixed + {slope * 1000:.2f} µs per {unit} "
        f"(least squares, R² {r2:.3f}), {verdict}; function calls per search +{calls_slope:.1f} per {unit} "
        f"(R² {calls_r2:.4f}), {calls_verdict}."
    )
    return {
        "fixed_us": round(intercept * 1000, 1),
        "us_per_unit": round(slope * 1000, 3),
        "r2": round(r2, 4),
        "shape": verdict,
        "calls_per_unit": round(calls_slope, 2),
        "calls_r2": round(calls_r2, 5),
        "calls_shape": calls_verdict,
        "line": line,
    }


def _ms(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f} ms"


def _cost_table(title: str, column: str, part: dict[str, Any]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        f"| {column} | days | slots/open day | in process p50, unseen wish | p99 | p50, same wish again "
        "| calls/search | HTTP p50 (1 conn.) | server p50 | req/s (32 conn.) | offers |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in part["rows"]:
        http = row.get("http") or {}
        one, rate = http.get("sequential", {}), http.get("throughput", {})
        lines.append(
            f"| {row['value']} | {row['calendar']['days']} | {row['calendar']['slots_per_open_day']} "
            f"| {_ms(row['in_process']['fresh_p50_ms'])} | {_ms(row['in_process']['fresh_p99_ms'])} "
            f"| {_ms(row['in_process']['p50_ms'])} "
            f"| {row['in_process']['calls_per_search']} | {_ms(one.get('p50_ms'), 2)} "
            f"| {_ms(one.get('server_p50_ms'), 2)} | {rate.get('requests_per_second', '–')} "
            f"| {len(row['answer']['offers'])} |"
        )
    ratio = part["ratio"]
    lines += [
        "",
        f"Cost ratio {ratio['of']} in process, unseen wishes: p50 {ratio['p50']}×, p99 {ratio['p99']}× "
        f"(the work grew {ratio['work']}×; the same wish again: p50 {ratio['reused_p50']}×).",
        "",
        part["complexity"]["line"],
        "",
    ]
    return lines


def _memory_table(memory: dict[str, Any]) -> list[str]:
    lines = [
        "### Cached memory per tenant",
        "",
        memory["method"],
        "",
        "| tenants | day entries | slots / day | indexes | RSS empty | RSS cached + indexed | RSS growth / tenant "
        "| bytes / cached day | bytes / index | traced bytes / tenant |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in memory["rows"]:
        per_tenant = row["rss_kib_growth"] / row["tenants"]
        lines.append(
            f"| {row['tenants']} | {row['day_entries']} | {row['slots_cached'] / row['day_entries']:.1f} "
            f"| {row['indexes']} | {row['rss_kib_empty'] / 1024:.1f} MiB "
            f"| {row['rss_kib_indexed'] / 1024:.1f} MiB | {per_tenant:.1f} KiB | {row['bytes_per_cached_day']} "
            f"| {row['bytes_per_index']} | {row['bytes_per_tenant_traced']} |"
        )
    return [*lines, "", memory["complexity"]["line"], ""]


def markdown(report: dict[str, Any]) -> str:
    """The whole report as Markdown: the two cost tables and the memory table, each with its complexity line."""
    machine = report["machine"]
    lines = [
        f"Growth run {report['started']} (`{report['settings']['command']}`): wish {report['wish']} 14:00 "
        f"(taken), {machine['cores']} cores, Python {machine['python']}, {machine['os']}. In process: "
        f"`Searcher.search` on a warm memory cache, {report['settings']['searches']} timed searches of each kind: "
        "an unseen wish (microseconds after the same time, so the finder runs) and the same "
        "wish again (its finding reused while the horizon is unchanged); function calls are counted for unseen "
        "wishes. Over HTTP: `altslot serve`, the same wish, latency client-side.",
        "",
        *_cost_table("Warm search cost against the horizon (demo salon)", "horizon days", report["horizon"]),
        *_cost_table("Warm search cost against slots per day (14-day horizon)", "slots/day", report["slots_per_day"]),
        *_memory_table(report["memory"]),
    ]
    return "\n".join(lines)


def memory_complexity(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """RSS growth per tenant (least squares) and the shape of traced bytes against tenants."""
    _, slope, r2 = fit([(r["tenants"], r["rss_kib_growth"]) for r in rows])
    traced = [(r["tenants"], r["bytes_per_tenant_traced"] * r["tenants"]) for r in rows]
    verdict = shape(traced)
    per_tenant = [r["bytes_per_tenant_traced"] for r in rows]
    line = (
        f"Complexity seen: RSS grows {slope:.1f} KiB per tenant (least squares, R² {r2:.3f}); traced "
        f"{min(per_tenant) / 1024:.1f}–{max(per_tenant) / 1024:.1f} KiB per tenant at every size; {verdict}."
    )
    return {"rss_kib_per_tenant": round(slope, 2), "r2": round(r2, 4), "shape": verdict, "line": line}
