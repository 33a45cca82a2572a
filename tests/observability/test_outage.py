"""A search-log database that is down never fails a search; ``/readyz`` and ``/metrics`` say so."""

from __future__ import annotations

import time
from pathlib import Path

from altslot.observability import ObservabilitySettings
from tests.observability.promtext import value
from tests.support.redis_servers import free_port
from tests.support.world import running, salon_data


def test_database_outage_does_not_fail_searches() -> None:
    """PostgreSQL URL on a closed port: searches answer 200, rows are dropped and counted, readyz degrades."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    settings = ObservabilitySettings(search_log_url=url, search_log_flush_seconds=0.05)
    with running(salon_data(), observability=settings) as world:
        for _ in range(3):
            assert world.search(desired_start="2025-09-30T14:00").status_code == 200
        deadline = time.monotonic() + 20
        dropped = 0.0
        while time.monotonic() < deadline and dropped < 3:
            dropped = value(world.metrics(), "search_log_rows_dropped_total", reason="db_error")
            time.sleep(0.05)
        ready = world.http.get(f"{world.api.url}/readyz")
    assert dropped == 3
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"]["search_log"] != "ok"


def test_readyz_reports_reachable_dependencies(redis_url: str, tmp_path: Path) -> None:
    """Redis and the search-log database both answering: ``/readyz`` is ok and lists both checks."""
    from altslot.shell.config import CacheSettings

    settings = ObservabilitySettings(search_log_url=f"sqlite:///{tmp_path}/r.db")
    with running(
        salon_data(), observability=settings, cache=CacheSettings(backend="redis", redis_url=redis_url)
    ) as world:
        ready = world.http.get(f"{world.api.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"redis": "ok", "search_log": "ok"}
    assert ready.json()["status"] == "ok"


def test_readyz_is_503_when_required_redis_is_down() -> None:
    """``cache.redis_required`` and Redis unreachable: ``/readyz`` answers 503 naming the check."""
    from altslot.shell.config import CacheSettings

    cache = CacheSettings(backend="redis", redis_url=f"redis://127.0.0.1:{free_port()}/0", redis_required=True)
    with running(salon_data(), cache=cache) as world:
        ready = world.http.get(f"{world.api.url}/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["checks"]["redis"] != "ok"
