"""The search log table and ``altslot stats`` on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from altslot.commands.cli import app
from altslot.events import SearchDone
from altslot.observability import ObservabilitySettings
from altslot.observability.searchlog import SearchLogWriter
from altslot.observability.searchtable import SearchLog, row_of, utc_now
from altslot.observability.stats import parse_since, render, report
from tests.observability.conftest import Database
from tests.support.world import TOKEN, running, salon_data

AT = "2025-09-30T14:00"


def done(tenant: str = "salon", calls: int = 0, ms: float = 0.4, degraded: str | None = None) -> SearchDone:
    return SearchDone(
        tenant=tenant,
        request_id="r1",
        event_type_id=1,
        api_calls_made=calls,
        cache_hits=0 if calls else 15,
        cache_misses=15 if calls else 0,
        stale_hits=0,
        duration_ms=ms,
        alternatives_found=2,
        strategy_used="same_day_later",
        fallback_triggered=False,
        timeout_hit=False,
        degraded=degraded,
        available=False,
        why_not="booked",
    )


def test_searches_are_logged_and_summarised(database: Database, tmp_path: Path) -> None:
    """Three searches over HTTP land as three rows; ``altslot stats`` reports them as tables and JSON."""
    with running(salon_data(), observability=database.settings()) as world:
        for i in range(3):
            response = world.http.post(
                f"{world.api.url}/api/appointments/alternatives",
                json={"event_type_id": 1412903, "desired_start": AT},
                headers={"Authorization": f"Bearer {TOKEN}", "X-Request-Id": f"req-{i}"},
            )
            assert response.status_code == 200
    log = database.log()
    try:
        with log.engine.connect() as conn:
            rows = conn.execute(select(log.table).order_by(log.table.c.id)).mappings().all()
    finally:
        log.close()
    assert [r["request_id"] for r in rows] == ["req-0", "req-1", "req-2"]
    assert [r["api_calls_made"] for r in rows] == [1, 0, 0]
    assert [r["cache_hit"] for r in rows] == [False, True, True]
    assert {r["tenant"] for r in rows} == {"salon"}

    config = tmp_path / "altslot.toml"
    config.write_text(f'[observability]\nsearch_log_url = "{database.url}"\nsearch_log_table = "{database.table}"\n')
    runner = CliRunner()
    as_json = runner.invoke(app, ["stats", "--config", str(config), "--since", "1h", "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    [salon] = data["totals"]
    assert salon["searches"] == 3
    assert salon["cache_hit_searches"] == 2
    assert salon["hit_ratio"] == round(2 / 3, 4)
    assert salon["degraded_share"] == 0
    assert [(b["api_calls_made"], b["frequency"]) for b in data["api_calls"]] == [(0, 2), (1, 1)]
    text = runner.invoke(app, ["stats", "--config", str(config), "--tenant", "salon"])
    assert text.exit_code == 0, text.output
    assert "Totals" in text.output
    assert "API calls per search" in text.output
    other = runner.invoke(app, ["stats", "--config", str(config), "--tenant", "nobody"])
    assert "none logged" in other.output


def test_stats_per_tenant_and_overall(database: Database) -> None:
    """Rows of two tenants: a line each plus ``*``; the window and the tenant filter hold."""
    log = database.log()
    writer = SearchLogWriter(log)
    for event in (done("a", calls=1, ms=800.0), done("a"), done("b", degraded="stale")):
        writer.observe(event)
    try:
        assert asyncio.run(writer.flush()) == 3
        result = report(log, timedelta(hours=1))
        by_tenant = {s.tenant: s for s in result.totals}
        assert set(by_tenant) == {"a", "b", "*"}
        assert by_tenant["a"].max_duration_ms == 800.0
        assert by_tenant["b"].degraded_share == 1.0
        assert by_tenant["*"].searches == 3
        assert [s.tenant for s in report(log, timedelta(hours=1), "b").totals] == ["b"]
        assert report(log, timedelta(hours=1), now=utc_now() + timedelta(hours=2)).totals == []
        assert "Totals" in render(result)
    finally:
        log.close()


def test_retention_sweeps_old_rows(database: Database) -> None:
    """Rows older than ``retention_days`` are deleted by the sweep; newer ones stay."""
    log = database.log()
    old = SearchLogWriter(log, clock=lambda: utc_now() - timedelta(days=40))
    old.observe(done())
    fresh = SearchLogWriter(log, retention_days=30)
    fresh.observe(done())
    try:
        asyncio.run(old.flush())
        asyncio.run(fresh.flush())
        assert asyncio.run(fresh.sweep()) == 1
        assert report(log, timedelta(days=365)).totals[0].searches == 1
    finally:
        log.close()


def _written(log: SearchLog, writer: SearchLogWriter, events: list[SearchDone]) -> list[dict[str, object]]:
    """Observe ``events``, flush them all, and read the table back in order (without ids); closes ``log``."""
    for event in events:
        writer.observe(event)
    try:
        assert asyncio.run(writer.flush()) == len(events)
        with log.engine.connect() as conn:
            rows = conn.execute(select(log.table).order_by(log.table.c.id)).mappings().all()
    finally:
        log.close()
    return [{k: v for k, v in r.items() if k != "id"} for r in rows]


def test_rows_built_at_flush_are_the_rows_of_the_searches(database: Database) -> None:
    """Each written row is ``row_of`` its event at the time the search was observed, not when it was flushed."""
    log = database.log()
    moments = [datetime(2026, 3, 1, 9, 30, 0, 250_000), datetime(2026, 3, 1, 9, 30, 1)]
    clock = iter([*moments, datetime(2026, 3, 2)])
    writer = SearchLogWriter(log, clock=lambda: next(clock))
    events = [done("a", calls=1, ms=812.5), done("b", degraded="stale")]
    assert _written(log, writer, events) == [row_of(event, at) for event, at in zip(events, moments, strict=True)]


def test_a_batch_larger_than_one_statement_lands_whole_and_in_order(database: Database) -> None:
    """Rows go in as multi-row statements of a bounded size: a batch of several is written whole, in order."""
    log = database.log()
    start = datetime(2026, 3, 1, 9, 0)
    moments = [start + timedelta(seconds=i, microseconds=i % 3) for i in range(3 * 55 + 7)]
    clock = iter(moments)
    writer = SearchLogWriter(log, clock=lambda: next(clock), batch_rows=100)
    events = [done(f"t{i % 4}", calls=i % 2, ms=i / 8) for i in range(len(moments))]
    assert _written(log, writer, events) == [row_of(event, at) for event, at in zip(events, moments, strict=True)]


def test_a_full_queue_drops_and_counts(tmp_path: Path) -> None:
    """The observer never blocks: past ``max_queue`` rows are dropped and counted."""
    from altslot.observability.searchtable import SearchLog

    writer = SearchLogWriter(SearchLog(f"sqlite:///{tmp_path}/q.db"), max_queue=2)
    for _ in range(3):
        writer.observe(done())
    assert writer.pending == 2
    assert writer.dropped["queue_full"] == 1


def test_since_parses_spans() -> None:
    """``--since`` takes 30m, 1h, 2d, 1w and refuses anything else."""
    assert parse_since("30m") == timedelta(minutes=30)
    assert parse_since("2d") == timedelta(days=2)
    for bad in ("", "1y", "-1h", "0h", "h"):
        try:
            parse_since(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_default_search_log_lives_in_the_user_state_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without search_log_url, the log is a SQLite file under $XDG_STATE_HOME/altslot, never the working dir."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    url = ObservabilitySettings().search_log_url
    assert url == f"sqlite:///{tmp_path}/state/altslot/searches.db"
    store = SearchLog(url)
    store.create()
    store.close()
    assert (tmp_path / "state" / "altslot" / "searches.db").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["state"]
