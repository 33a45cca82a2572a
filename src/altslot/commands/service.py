"""The commands that run altslot: ``serve``, ``find``, ``warm``, ``calcom-sim``, ``demo``."""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from altslot.commands.app import ConfigOption, _clock, _settings, app, fail


def _exit_on_signal(signum: int, frame: object) -> NoReturn:
    raise SystemExit(128 + signum)


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    access_log: Annotated[
        bool, typer.Option(help="One uvicorn line per request (every search already logs a JSON line).")
    ] = False,
) -> None:
    """Serve the HTTP API (with several workers, ``/metrics`` reports all of them)."""
    import os

    from altslot.observability.multiproc import metrics_dir, one_process

    settings = _settings(config)  # fail fast, in this process, with one line
    if settings.cache.backend == "redis":
        from altslot.shared.redis_client import redis_problem
        from altslot.shared.redis_url import safe_url

        problem = asyncio.run(redis_problem(settings.cache.redis_url))
        where = safe_url(settings.cache.redis_url)
        if problem and settings.cache.redis_required:
            fail(f"config: cache.redis_url: Redis at {where} cannot be used ({problem})")
        if problem:
            typer.echo(
                f"altslot: warning: Redis at {where} cannot be used ({problem}); serving from memory until it can",
                err=True,
            )
    if config is not None:
        os.environ["ALTSLOT_CONFIG"] = str(config.resolve())
    # uvicorn re-raises SIGTERM once it has shut down; as an exception it unwinds through the cleanup below.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    with metrics_dir(os.environ) if workers > 1 else one_process(os.environ):  # before prometheus-client is imported
        from altslot.api.serving import serve_forever  # imports the app, and with it prometheus-client

        serve_forever(
            "altslot.api.factory:app_from_env",
            host=host,
            port=port,
            workers=workers,
            read_timeout=settings.server.read_timeout_seconds,
            graceful_seconds=settings.server.graceful_shutdown_seconds,
            access_log=access_log,
        )


@app.command()
def find(
    ctx: typer.Context,
    tenant: Annotated[str, typer.Option(help="Tenant name from the config.")],
    event_type: Annotated[int, typer.Option("--event-type", help="Cal.com event type id.")],
    at: Annotated[str, typer.Option(help='Desired start, "YYYY-MM-DD HH:MM" in the tenant\'s zone.')],
    config: ConfigOption = None,
    duration: Annotated[int | None, typer.Option(help="Minutes (default: the event type's length).")] = None,
    lang: Annotated[str | None, typer.Option(help="de or en (default: the tenant's).")] = None,
    window: Annotated[str | None, typer.Option(help="morning, afternoon or evening.")] = None,
    max_alternatives: Annotated[int | None, typer.Option("--max", help="1..10 offers.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON response.")] = False,
) -> None:
    """Find alternatives once, in process, and print the sentence and the offers."""
    from pydantic import ValidationError

    from altslot.commands.runner import run_search

    settings = _settings(config)
    try:
        desired = datetime.fromisoformat(at)
    except ValueError:
        fail(f'--at: {at!r} is not "YYYY-MM-DD HH:MM"')
    body = {
        "event_type_id": event_type,
        "desired_start": desired.isoformat(),
        "duration_minutes": duration,
        "language": lang,
        "preferred_window": window,
        "max_alternatives": max_alternatives,
    }
    try:
        status, answer = asyncio.run(run_search(settings, tenant, {k: v for k, v in body.items() if v}, _clock(ctx)))
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}")
    except LookupError as exc:
        fail(str(exc.args[0]))
    if as_json:
        typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
    else:
        typer.echo(answer["response_text"])
        for alt in answer.get("alternatives", []):
            typer.echo(f"  {alt['start']}  {alt['strategy']:<17} {alt['label']}")
    if status != 200:
        raise typer.Exit(1)


@app.command()
def warm(
    ctx: typer.Context,
    config: ConfigOption = None,
    days: Annotated[int | None, typer.Option(min=1, max=60, help="Days ahead (default: [warm].days).")] = None,
    tenant: Annotated[list[str] | None, typer.Option(help="Only this tenant (repeatable).")] = None,
) -> None:
    """Fetch the next days of every configured event type into the cache."""
    from altslot.commands.runner import run_warm

    settings = _settings(config)
    unknown = [t for t in tenant or [] if t not in settings.tenants]
    if unknown:
        fail(f"--tenant: no tenant {unknown[0]!r} in the config")
    selected = tenant or list(settings.tenants)
    total = sum(len(settings.tenants[t].event_types) for t in selected)
    with typer.progressbar(length=total, label="warming", show_pos=True) as bar:
        summary = asyncio.run(run_warm(settings, selected, days or settings.warm.days, bar.update, _clock(ctx)))
    typer.echo(
        f"{summary.days_fetched} of {summary.days} days fetched for {summary.event_types} event types "
        f"in {summary.upstream_calls} upstream calls, {summary.seconds:.2f} s"
        + (f", {summary.failures} failures" if summary.failures else "")
    )
    if summary.failures:
        raise typer.Exit(1)


@app.command("calcom-sim")
def calcom_sim(
    data: Annotated[Path | None, typer.Option(help="Data file (default: the bundled demo salon).")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8787,
    latency_ms: Annotated[str, typer.Option(help='Injected latency: "800" or "300-800".')] = "0",
    error_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Share of /v2 requests answered 500.")] = 0.0,
    rate_limit: Annotated[int, typer.Option(min=1, help="Requests per minute per API key.")] = 120,
) -> None:
    """Run the Cal.com simulator."""
    import uvicorn

    from altslot.sim import SimDataError, create_app, demo_data, load_data, parse_latency

    try:
        latency = parse_latency(latency_ms)
        sim_data = load_data(data) if data else demo_data(date.today())
    except (SimDataError, ValueError) as exc:
        fail(str(exc))
    sim = create_app(sim_data, latency_ms=latency, error_rate=error_rate, rate_limit=rate_limit)
    typer.echo(f"Cal.com simulator on http://{host}:{port} (stats: /_sim/stats)")
    uvicorn.run(sim, host=host, port=port, log_level="warning", backlog=4096)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port for altslot.")] = 8000,
    sim_port: Annotated[int, typer.Option(help="Port for the Cal.com simulator.")] = 8787,
    latency_ms: Annotated[str, typer.Option(help="Simulated Cal.com latency.")] = "300-800",
) -> None:
    """Run the offline demo: the simulator with the bundled salon data and altslot in front of it."""
    import uvicorn

    from altslot.api.app import create_app
    from altslot.api.serving import start_in_thread
    from altslot.observability.logs import configure_logging
    from altslot.shell.demo import curl_example, demo_settings
    from altslot.shell.runtime import build_runtime
    from altslot.sim import create_app as create_sim
    from altslot.sim import demo_data, parse_latency

    try:
        latency = parse_latency(latency_ms)
    except ValueError as exc:
        fail(f"--latency-ms: {exc}")
    try:
        sim = start_in_thread(create_sim(demo_data(date.today()), latency_ms=latency), port=sim_port)
    except OSError as exc:
        fail(f"--sim-port {sim_port}: {exc.strerror}")
    try:
        settings = demo_settings(sim.url)
        configure_logging(settings.observability.log_format)
        api = create_app(build_runtime(settings))
        base = f"http://127.0.0.1:{port}"
        typer.echo(f"Cal.com simulator: {sim.url}   altslot: {base}   (Ctrl-C stops both)")
        typer.echo("Try:")
        typer.echo("  " + curl_example(base, date.today()))
        uvicorn.run(api, host="127.0.0.1", port=port, log_level="warning")
    finally:
        sim.stop()
