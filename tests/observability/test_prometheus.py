"""The dashboard and the counters, read through a real Prometheus scraping ``altslot serve --workers 2``.

A short scripted load (searches, a 401, a 422, one booking and its replay, one Cal.com fault that opens
and closes the breaker) against a live service in front of the simulator. Prometheus must see every
count the test produced through ``increase()`` — the first event of every series included, and both
workers — and every dashboard expression must parse and return data.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from altslot.api.serving import start_in_thread
from altslot.observability.searchtable import SearchLog
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data
from tests.observability.prom import Prometheus, prometheus
from tests.observability.test_dashboard import DASHBOARD
from tests.support.days import next_weekday
from tests.support.processes import altslot_process
from tests.support.redis_servers import free_port
from tests.support.world import EVENT, TOKEN, salon_data

JOB = "altslot"
OPERATIONS = DASHBOARD.parents[2] / "docs" / "operations.md"
FAULTED = EVENT + 1  # a second event type: the fault phase searches days nobody has cached
SEARCH = "POST /api/appointments/alternatives"
# A quantile over a histogram with no observations in the window is NaN; the test checks that none happened.
EMPTY_HISTOGRAMS = {"ratelimit_wait_seconds_bucket": "ratelimit_wait_seconds_count"}


def write_config(path: Path, sim_url: str, tenant: str, api_key: str, redis_url: str, log_url: str) -> Path:
    """Two workers share Redis (so one breaker), the search log goes to PostgreSQL; no warmer."""
    path.write_text(
        f'[calcom]\nbase_url = "{sim_url}"\n'
        f'[cache]\nbackend = "redis"\nredis_url = "{redis_url}"\nredis_required = true\n'
        "[resilience]\nfailure_threshold = 2\nsuccess_threshold = 1\ncool_down_seconds = 0.5\nmax_attempts = 1\n"
        f'[observability]\nsearch_log_url = "{log_url}"\nsearch_log_table = "log_{tenant}"\n'
        "search_log_flush_seconds = 0.2\n"
        f'[tenants.{tenant}]\ntokens = ["{TOKEN}"]\ncalcom_api_key = "{api_key}"\n'
        f'time_zone = "Europe/Berlin"\nevent_types = [{EVENT}, {FAULTED}]\n'
    )
    return path


class Load:
    """Requests on fresh connections (so the kernel spreads them over the workers), counted by answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: Counter[tuple[str, int]] = Counter()

    def post(self, route: str, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
        headers.setdefault("Authorization", f"Bearer {TOKEN}")
        response = httpx.post(f"{self.url}{path}", json=body, headers=headers, timeout=30)
        self.answers[route, response.status_code] += 1
        return response

    def search(self, at: str, token: str = TOKEN, event_type: int = EVENT) -> httpx.Response:
        body = {"event_type_id": event_type, "desired_start": at}
        return self.post(SEARCH, "/api/appointments/alternatives", body, Authorization=f"Bearer {token}")

    def book(self, start: str, key: str) -> httpx.Response:
        attendee = {
            "name": "Erika Mustermann",
            "phone": "+49 30 1234567",
            "time_zone": "Europe/Berlin",
            "language": "de",
        }
        body = {"event_type_id": EVENT, "start": start, "attendee": attendee}
        return self.post("POST /api/appointments", "/api/appointments", body, **{"Idempotency-Key": key})


def run_load(load: Load, sim_url: str) -> None:
    """The script: warm searches, bad callers, a booking and its replay, a fault the breaker rides out."""
    day = next_weekday(1)
    for _ in range(6):
        answer = load.search(f"{day}T14:00")
        assert answer.status_code == 200, answer.text
    assert load.search(f"{day}T14:00", token="wrong").status_code == 401
    assert load.search("soon").status_code == 422
    found = answer.json()
    start = found["requested"]["start"] if found["available"] else found["alternatives"][0]["start"]
    first = load.book(start, "once")
    assert first.status_code == 201, first.text
    assert load.book(start, "once").status_code == 201
    httpx.post(f"{sim_url}/_sim/faults", json={"mode": "error_500"}).raise_for_status()
    for _ in range(3):  # two failures open the circuit, the third is refused without a call
        assert load.search(f"{day}T14:00", event_type=FAULTED).status_code == 503
    httpx.post(f"{sim_url}/_sim/faults", json={"mode": "ok"}).raise_for_status()
    deadline = time.monotonic() + 10
    while (
        load.search(f"{day}T14:00", event_type=FAULTED).status_code != 200
    ):  # 503 until the cool-down lets the probe through
        assert time.monotonic() < deadline, "the breaker did not close"
        time.sleep(0.1)


def dashboard_expressions() -> list[str]:
    """Every target of the dashboard, with its variables at "All", and the seed's queries as operations.md maps them."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    seed = re.findall(r"^\| \d `[^`]+` \| `([^`]+)` \|", OPERATIONS.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(seed) == 4, "docs/operations.md maps the seed's four queries"
    return [e.replace("$job", ".*").replace("$tenant", ".*") for e in exprs] + seed


def check_dashboard(prom: Prometheus, at: float) -> None:
    """Each expression parses and returns at least one series; values are finite unless explained."""
    for expr in dashboard_expressions():
        result = prom.query(expr, at)
        assert result, f"no data: {expr}"
        values = [float(r["value"][1]) for r in result]
        if all(math.isnan(v) for v in values):
            empty = [count for bucket, count in EMPTY_HISTOGRAMS.items() if bucket in expr]
            assert empty, f"only NaN: {expr}"
            assert prom.value(f"sum(increase({empty[0]}[1h]))", at) == 0


def test_prometheus_counts_what_happened_across_two_workers(
    tmp_path: Path, redis_url: str, unique: str, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through Prometheus: increase() of each counter equals what the test did; the dashboard has data."""
    api_key = f"cal_{unique}"
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where serve makes (and must remove) its metrics dir
    try:
        data = salon_data(now=None, api_key=api_key)
        data["event_types"].append({"id": FAULTED, "length": 30, "schedule": "salon"})
        with start_in_thread(create_sim(parse_data(data))) as sim:
            config = write_config(tmp_path / "altslot.toml", sim.url, unique, api_key, redis_url, postgres_url)
            port = free_port()
            args = ["serve", "--config", str(config), "--port", str(port), "--workers", "2"]
            with (
                altslot_process(args, port, tmp_path / "serve.log") as url,
                prometheus(JOB, f"127.0.0.1:{port}", tmp_path) as prom,
            ):
                prom.wait_for("sum(altslot_worker_processes)", lambda v: v == 2)
                first = prom.last_scrape(JOB)  # every series below is at 0 in this scrape
                load = Load(url)
                run_load(load, sim.url)
                check_counts(prom, load, first, httpx.get(f"{sim.url}/_sim/stats").json()["requests"])
        assert not list(tmp_path.glob("altslot-metrics-*")), "serve left its metrics directory behind"
    finally:
        cleanup(redis_url, unique, postgres_url)


def check_counts(prom: Prometheus, load: Load, first: float, sim_requests: dict[str, int]) -> None:
    """Wait for the scrape that has everything, then compare ``increase()`` at that scrape with the truth."""
    searches = sum(n for (route, status), n in load.answers.items() if route == SEARCH and status in (200, 503))
    sent = sum(n for (route, _), n in load.answers.items() if route == SEARCH)
    prom.wait_for(f'sum(http_requests_total{{route="{SEARCH}"}})', lambda v: v == sent)
    prom.wait_for("sum(search_log_rows_written_total)", lambda v: v == searches)
    at = prom.last_scrape(JOB)
    window = f"[{math.ceil(at - first) + 5}s]"

    def increase(selector: str) -> float:
        return prom.value(f"sum(increase({selector}{window}))", at)

    for (route, status), count in load.answers.items():
        assert increase(f'http_requests_total{{route="{route}",status="{status}"}}') == pytest.approx(count), route
    assert increase('http_requests_total{status="401",tenant="other"}') == 1
    assert increase("alternative_searches_total") == pytest.approx(searches)
    assert increase('alternative_searches_total{outcome="unavailable"}') == load.answers[SEARCH, 503]
    assert increase("search_log_rows_written_total") == pytest.approx(searches)
    assert increase('bookings_total{operation="create",outcome="created"}') == 1
    assert increase('bookings_total{operation="create",outcome="replayed"}') == 1
    assert increase('calcom_api_calls_total{endpoint="GET /v2/slots"}') == sim_requests["GET /v2/slots"]
    assert increase('calcom_api_calls_total{endpoint="POST /v2/bookings"}') == sim_requests["POST /v2/bookings"] == 1
    assert increase('calcom_api_errors_total{error="ServerError"}') == 2
    for state in ("open", "half_open", "closed"):
        assert increase(f'circuit_breaker_transitions_total{{state="{state}"}}') == 1, state
    assert prom.value("sum(altslot_worker_processes)", at) == 2
    check_dashboard(prom, at)


def cleanup(redis_url: str, tenant: str, postgres_url: str) -> None:
    """Drop the test's idempotency keys and search-log table."""
    shared = redis.Redis.from_url(redis_url)
    for key in shared.scan_iter(f"altslot:{{{tenant}}}*"):
        shared.delete(key)
    shared.close()
    log = SearchLog(postgres_url, f"log_{tenant}")
    try:
        log.drop()
    finally:
        log.close()
