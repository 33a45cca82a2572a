"""The Grafana dashboard parses, has the promised panels, and queries only metrics altslot exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from altslot.observability import ObservabilitySettings
from altslot.observability.metrics import metric_names
from tests.support.world import running, salon_data

DASHBOARD = Path(__file__).parents[2] / "deploy" / "grafana" / "altslot.json"
SELECTED = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*[{\[]")
LABEL_VALUES = re.compile(r"label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)")


def queries(dashboard: dict[str, Any]) -> list[str]:
    """Every PromQL expression: panel targets and template-variable queries."""
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


def load() -> dict[str, Any]:
    """The dashboard JSON."""
    found: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return found


def test_every_query_filters_by_job() -> None:
    """``$job`` narrows every metric selector of every panel, not just one."""
    for panel in load()["panels"]:
        for target in panel["targets"]:
            selectors = re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*\{([^}]*)\}", target["expr"])
            assert selectors, target["expr"]
            assert all('job=~"$job"' in s for s in selectors), f"{panel['title']}: {target['expr']}"


def test_the_import_input_is_used_and_variables_have_a_current_value() -> None:
    """``${DS_PROMETHEUS}`` (the import form's answer) picks the data source; every ``current`` has text and value."""
    dashboard = load()
    assert [i["name"] for i in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    variables = dashboard["templating"]["list"]
    assert variables[0]["current"]["value"] == "${DS_PROMETHEUS}"
    assert all({"text", "value"} <= set(v["current"]) for v in variables)


def test_panels_do_not_mix_units_or_mappings_across_targets() -> None:
    """Value mappings and second units sit in per-target overrides; ids are unique; nothing overlaps."""
    panels = load()["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    cells = [(x, y) for p in panels for x, y in _cells(p["gridPos"])]
    assert len(cells) == len(set(cells)), "panels overlap"
    for panel in panels:
        assert "mappings" not in panel["fieldConfig"]["defaults"] or len(panel["targets"]) == 1, panel["title"]
    waits = next(p for p in panels if p["title"] == "Rate-limiter waits")
    override = waits["fieldConfig"]["overrides"][0]
    assert override["matcher"] == {"id": "byFrameRefID", "options": "B"}
    assert {"id": "unit", "value": "s"} in override["properties"]


def test_dashboard_shows_answers_and_bookings() -> None:
    """Panels for altslot's own answers, bookings, holds and webhooks."""
    exprs = " ".join(t["expr"] for p in load()["panels"] for t in p["targets"])
    for family in ("http_requests_total", "bookings_total", "holds_total", "webhook_deliveries_total"):
        assert family in exprs


def _cells(pos: dict[str, int]) -> list[tuple[int, int]]:
    return [(x, y) for x in range(pos["x"], pos["x"] + pos["w"]) for y in range(pos["y"], pos["y"] + pos["h"])]
