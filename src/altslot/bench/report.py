"""``report.json``, a Markdown report and (with the ``plots`` extra) PNG plots of one ``altslot bench`` run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _ms(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def _num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}" if value < 10 else f"{value:.0f}"
    return str(value)


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each §11 / issue target with the measured value and whether it was met."""
    s = {x["name"]: x for x in report["scenarios"]}
    latency = report["settings"]["latency_ms"]
    out: list[dict[str, Any]] = []

    def add(name: str, target: str, value: Any, met: bool) -> None:
        out.append({"target": name, "goal": target, "measured": value, "met": bool(met)})

    worst = s["worst"]["altslot"]
    add(
        "worst case: upstream calls",
        "≤ 2 (baseline ≈ 28)",
        f"{worst['calls_per_search']} vs {s['worst']['baseline']['calls_per_search']}",
        worst["calls_per_search"] <= 2,
    )
    add("worst case: latency p99", f"≤ 1.25 × {latency} ms", _ms(worst["p99_ms"]), worst["p99_ms"] <= 1.25 * latency)
    burst = s["cold_burst"]["altslot"]
    add("cold burst: upstream calls", "≤ 2", burst["simulator_calls"], burst["simulator_calls"] <= 2)
    add("cold burst: p99", f"≤ 1.5 × {latency} ms", _ms(burst["p99_ms"]), burst["p99_ms"] <= 1.5 * latency)
    normal = s["normal_load"]["altslot"]
    add("normal load: hit ratio", "≥ 99 %", normal["hit_ratio"], (normal["hit_ratio"] or 0) >= 0.99)
    add("normal load: errors", "0", normal["errors"], normal["errors"] == 0)
    inst = report.get("instances", {}).get("cold_burst", {})
    for count, burst4 in inst.items():
        add(
            f"cold burst on Redis, {count} instance(s): calls",
            "≤ 2",
            burst4["simulator_calls"],
            burst4["simulator_calls"] <= 2,
        )
    ceiling = report.get("ceiling")
    if ceiling:
        add(
            "warm throughput vs bare ping",
            "≥ 50 %",
            f"{ceiling['share_of_ceiling']:.0%}",
            ceiling["share_of_ceiling"] >= 0.5,
        )
    micro = report.get("micro")
    if micro:
        out += _micro_targets(micro)
    single = report.get("single_cold")
    if single:
        add(
            "one cold search",
            f"1 call, ≤ 1.25 × {latency} ms",
            f"{single['upstream_calls']} call, {_ms(single['latency_ms'])}",
            single["upstream_calls"] == 1 and single["round_trips"] <= 1.25,
        )
    return out  # fmt: skip


def _micro_targets(micro: dict[str, Any]) -> list[dict[str, Any]]:
    """The in-process targets: finder, warm search, slot engine, simulator."""
    finder, engine = micro["finder"]["p50_ms"], micro["engine"]["p50_ms"]
    rows = [("finder p50 (in process)", "< 1 ms", f"{finder:.3f} ms", finder < 1)]
    for kind, words in (("same_wish", "the same wish again"), ("unseen_wish", "an unseen wish")):
        p50 = micro["search"][kind]["p50_ms"]
        rows.append((f"warm search in process, demo salon, {words}: p50", "≤ 0.25 ms", f"{p50:.3f} ms", p50 <= 0.25))
    rows.append(("slot engine p50 (14 days, 50 bookings)", "< 2 ms", f"{engine:.3f} ms", engine < 2))
    rps = micro["simulator"]["throughput"]["requests_per_second"]
    rows.append(("simulator slot requests/s", "≥ 500", rps, rps >= 500))
    return [{"target": n, "goal": g, "measured": v, "met": bool(m)} for n, g, v, m in rows]


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables."""
    settings = report["settings"]
    machine = report["machine"]
    lines = [
        f"Run {report['started']}: `{settings['command']}` — simulator latency {settings['latency_ms']} ms, "
        f"{machine['cores']} cores, {machine['memory_gib']} GiB, Python {machine['python']}, {machine['os']}.",
        "",
        "Baseline = a re-creation of the old system's documented call pattern (seed §1/§5), run in process "
        "against the same simulator; altslot = `altslot serve` over HTTP. Latency is client-side.",
        "",
        "| scenario | calls/search baseline | calls/search altslot | ratio | p50 baseline | p50 altslot "
        "| p95 baseline | p95 altslot | p99 baseline | p99 altslot | p99 ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for x in report["scenarios"]:
        old, new, ratio = x["baseline"], x["altslot"], x["ratio"]
        lines.append(
            f"| **{x['name']}**: {x['description']} | {_num(old['calls_per_search'])} "
            f"| {_num(new['calls_per_search'])} | {_num(ratio['calls_per_search'])} "
            f"| {_ms(old['p50_ms'])} | {_ms(new['p50_ms'])} | {_ms(old['p95_ms'])} | {_ms(new['p95_ms'])} "
            f"| {_ms(old['p99_ms'])} | {_ms(new['p99_ms'])} | {_num(ratio['p99_ms'])} |"
        )
    lines += ["", "| scenario | upstream calls baseline | altslot | hit ratio baseline | altslot | errors altslot |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for x in report["scenarios"]:
        old, new = x["baseline"], x["altslot"]
        lines.append(
            f"| {x['name']} | {old['simulator_calls']} | {new['simulator_calls']} | {_num(old['hit_ratio'])} "
            f"| {_num(new['hit_ratio'])} | {new['errors']} |"
        )
    lines += ["", "### Targets", "", "| target | goal | measured | met |", "|---|---|---|---|"]
    for t in report["targets"]:
        lines.append(f"| {t['target']} | {t['goal']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |")
    for key in ("instances", "workers", "ceiling", "single_cold", "redis_vs_memory", "resilience", "limiter", "micro"):
        if key in report:
            lines += ["", f"### {key.replace('_', ' ')}", "", "```json", json.dumps(report[key], indent=1), "```"]
    if report.get("plots"):
        lines += ["", *[f"![{Path(p).stem}]({Path(p).name})" for p in report["plots"]]]
    elif report.get("plots_note"):
        lines += ["", f"_{report['plots_note']}_"]
    return "\n".join(lines) + "\n"


def plots(report: dict[str, Any], out: Path, latencies: dict[str, dict[str, list[float]]]) -> list[str]:
    """Latency distribution per scenario and upstream calls per search, as PNGs (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [x["name"] for x in report["scenarios"]]
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 4))
    for ax, name in zip(axes, names, strict=True):
        data = [[v * 1000 for v in latencies[name][side]] or [0.0] for side in ("baseline", "altslot")]
        ax.boxplot(data, whis=(1, 99), showfliers=False)
        ax.set_xticks([1, 2], ["baseline", "altslot"])
        ax.set_yscale("log")
        ax.set_title(name)
        ax.set_ylabel("latency ms (log)")
    fig.suptitle(f"Search latency p1–p99, simulator at {report['settings']['latency_ms']} ms")
    fig.tight_layout()
    latency_png = out / "latency.png"
    fig.savefig(latency_png, dpi=100)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.38
    xs = range(len(names))
    calls = {s: [x[s]["calls_per_search"] for x in report["scenarios"]] for s in ("baseline", "altslot")}
    ax.bar([x - width / 2 for x in xs], calls["baseline"], width, label="baseline (old pattern)")
    ax.bar([x + width / 2 for x in xs], calls["altslot"], width, label="altslot")
    ax.set_xticks(list(xs), names)
    ax.set_ylabel("upstream calls per search")
    ax.legend()
    fig.tight_layout()
    calls_png = out / "calls.png"
    fig.savefig(calls_png, dpi=100)
    plt.close(fig)
    return [str(latency_png), str(calls_png)]


def write(report: dict[str, Any], out: Path, latencies: dict[str, dict[str, list[float]]]) -> None:
    """Write report.json, report.md and the plots (skipped with a note when matplotlib is missing)."""
    out.mkdir(parents=True, exist_ok=True)
    report["targets"] = targets(report)
    try:
        report["plots"] = plots(report, out, latencies)
    except ImportError:
        report["plots"] = []
        report["plots_note"] = "plots skipped: install the extra `altslot[plots]` (matplotlib)"
    (out / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (out / "report.md").write_text(markdown(report), encoding="utf-8")
