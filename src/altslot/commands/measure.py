"""The commands that look at altslot: ``stats``, ``loadtest``, ``bench``, ``tools``."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from altslot.commands.app import ConfigOption, _settings, app, fail


@app.command()
def stats(
    config: ConfigOption = None,
    since: Annotated[str, typer.Option(help="Window: 30m, 1h, 2d, 1w.")] = "1h",
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Summarise the search log: totals, hit ratio, durations, API calls per search, degraded share."""
    from altslot.observability.stats import parse_since, run_stats

    settings = _settings(config, require_tenants=False)
    try:
        window = parse_since(since)
    except ValueError as exc:
        fail(f"--since: {exc}")
    try:
        typer.echo(run_stats(settings.observability, window, tenant, as_json=as_json), nl=False)
    except LookupError as exc:
        fail(str(exc.args[0]))


@app.command()
def loadtest(
    url: Annotated[str, typer.Option(help="altslot base URL (loopback or given explicitly).")],
    token: Annotated[str, typer.Option(help="A tenant's bearer token.")],
    scenario: Annotated[str, typer.Option(help="normal, cold or sustained.")] = "normal",
    users: Annotated[int | None, typer.Option(min=1, help="Concurrent users (default 100/100/25).")] = None,
    duration: Annotated[float, typer.Option(min=1, help="Seconds (normal, sustained).")] = 60.0,
    think_ms: Annotated[int, typer.Option(min=0, help="Pause of each user between requests.")] = 1000,
    event_type: Annotated[int, typer.Option("--event-type", help="Event type to search.")] = 1412903,
    pid: Annotated[int | None, typer.Option(help="Service PID for RSS (default: found by port).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Drive a running altslot with one of the seed's load scenarios; stops by itself."""
    from altslot.bench.loadtest import LoadPlan, run_loadtest

    if scenario not in ("normal", "cold", "sustained"):
        fail("--scenario: use normal, cold or sustained")
    if not url.startswith(("http://", "https://")):
        fail("--url: must start with http:// or https://")
    plan = LoadPlan(
        url=url.rstrip("/"),
        token=token,
        scenario=scenario,  # type: ignore[arg-type]
        event_type_id=event_type,
        users=users,
        duration=duration,
        think_seconds=think_ms / 1000,
        pid=pid,
    )

    def progress(done: int, elapsed: float) -> None:
        typer.echo(f"\r  {done} requests, {elapsed:.0f} s", nl=False, err=True)

    summary = asyncio.run(run_loadtest(plan, progress))
    typer.echo("", err=True)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    rss = summary.get("rss", {})
    typer.echo(
        f"{summary['scenario']}: {summary['requests']} requests, {summary['users']} users, "
        f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, "
        f"errors {summary['error_rate']:.2%}, hit ratio {summary['hit_ratio']}, "
        f"upstream calls {summary['upstream_calls']}"
        + (f", RSS growth after warm-up {rss.get('growth_percent')} %" if rss else "")
    )


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="50 ms latency, small counts (CI smoke test).")] = False,
    latency_ms: Annotated[int | None, typer.Option(min=0, help="Simulated Cal.com latency (800).")] = None,
    out: Annotated[Path, typer.Option(help="Directory for report.json, report.md, plots.")] = Path("bench-out"),
    no_micro: Annotated[bool, typer.Option("--no-micro", help="Skip engine/finder/simulator benches.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print report.json to stdout.")] = False,
    today: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Anchor day of the calendars (default: today).")
    ] = None,
) -> None:
    """Benchmark altslot side by side with a re-creation of the old call pattern, in one run."""
    from altslot.bench.run import run_bench

    latency = latency_ms if latency_ms is not None else (50 if quick else 800)
    command = "altslot bench" + (" --quick" if quick else "") + (f" --latency-ms {latency_ms}" if latency_ms else "")
    say = (lambda line: typer.echo(line, err=True)) if as_json else typer.echo
    anchor = today.date() if today else None
    if anchor is not None and anchor < date.today():
        fail(f"--today: {anchor} lies in the past; the services run on the real clock")
    report = run_bench(
        quick=quick, latency_ms=latency, out=out, say=say, command=command, micro=not no_micro, today=anchor
    )
    if as_json:
        typer.echo((out / "report.json").read_text(encoding="utf-8"))
        return
    typer.echo((out / "report.md").read_text(encoding="utf-8"))
    missed = [t["target"] for t in report["targets"] if not t["met"]]
    typer.echo(f"wrote {out}/report.json and report.md in {report['seconds']} s; missed: {missed or 'none'}")


@app.command()
def tools(
    platform: Annotated[str, typer.Option(help="retell, vapi, elevenlabs or openai.")],
    tenant: Annotated[str, typer.Option(help="The tenant the tools are for.")],
    base_url: Annotated[str, typer.Option("--base-url", help="Where callers reach this altslot.")],
    config: ConfigOption = None,
) -> None:
    """Print the platform's tool JSON for a tenant (descriptions in its language, URLs filled in)."""
    from altslot.tools.definitions import PLATFORMS, tool_definitions

    if platform not in PLATFORMS:
        fail(f"--platform: use {', '.join(PLATFORMS)}")
    if not base_url.startswith(("http://", "https://")):
        fail("--base-url: must start with http:// or https://")
    found = _settings(config).tenants.get(tenant)
    if found is None:
        fail(f"--tenant: no tenant {tenant!r} in the configuration")
    definitions = tool_definitions(platform, tenant, base_url, found.language, list(found.services))
    typer.echo(json.dumps(definitions, indent=2, ensure_ascii=False))
