"""The Grafana dashboard parses, has the promised panels, and queries only metrics altslot exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from altslot.observability import ObservabilitySettings
from altslot.observability.metrics import metric_names
from tests.e2e.world import running, salon_data

DASHBOARD = Path(__file__).parents[2] / "deploy" / "grafana" / "altslot.json"
SELECTED = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*[{\[]")
LABEL_VALUES = re.compile(r"label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)")


def queries(dashboard: dict[str, Any]) -> list[str]:
    found = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    found += [v["definition"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return found


def test_dashboard_has_the_promised_panels() -> None:
    """The seed's four panels plus breaker state, stale share and limiter waits."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    titles = {p["title"] for p in dashboard["panels"]}
    wanted = {"Cal.com call rate", "Cache hit ratio", "p95 search duration", "Error rate"}
    assert wanted | {"Circuit breaker state", "Stale and degraded share", "Rate-limiter waits"} <= titles
    assert {v["name"] for v in dashboard["templating"]["list"]} >= {"datasource", "tenant"}


def test_dashboard_refers_only_to_exposed_metrics() -> None:
    """Every metric named in a query appears in a live ``/metrics`` after a search."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    settings = ObservabilitySettings(search_log_url="sqlite://")  # in memory: the search-log series exist
    with running(salon_data(), observability=settings) as world:
        assert world.search(desired_start="2025-09-30T14:00").status_code == 200
        exposed = set(metric_names(world.metrics()))
    named: set[str] = set()
    for query in queries(dashboard):
        names = set(SELECTED.findall(query)) | set(LABEL_VALUES.findall(query))
        assert names, f"no metric found in {query!r}"
        named |= names
    assert named - exposed == set()
