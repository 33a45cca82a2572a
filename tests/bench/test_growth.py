"""``python -m altslot.bench.growth --quick`` end to end, its config file and its growth verdicts (never timings)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from altslot.bench.growth import QUICK
from altslot.bench.growth_report import shape
from altslot.bench.growth_world import ServiceFile, settings_tree
from altslot.shell.config import Settings


@pytest.mark.slow
def test_quick_growth_run_measures_every_configuration(tmp_path: Path) -> None:
    """The quick run prints three tables with complexity lines and writes positive figures for every configuration."""
    out, table = tmp_path / "growth.json", tmp_path / "growth.md"
    command = [sys.executable, "-m", "altslot.bench.growth", "--quick", "--json", str(out), "--markdown", str(table)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["growth.json", "growth.md"]
    report = json.loads(out.read_text())
    assert [r["value"] for r in report["horizon"]["rows"]] == [7, 14, 30, 60]
    assert [r["value"] for r in report["slots_per_day"]["rows"]] == [10, 50, 200]
    for part in ("horizon", "slots_per_day"):
        for row in report[part]["rows"]:
            assert row["in_process"]["p50_ms"] > 0
            assert row["in_process"]["p99_ms"] >= row["in_process"]["p50_ms"]
            assert row["answer"]["why_not"] == "busy"
            assert row["answer"]["offers"]
            sequential, rate = row["http"]["sequential"], row["http"]["throughput"]
            assert sequential["p50_ms"] > 0
            assert sequential["server_p50_ms"] > 0
            assert rate["requests_per_second"] > 0
            assert rate["errors"] == 0
        assert report[part]["ratio"]["p50"] > 0
        assert report[part]["complexity"]["line"].startswith("Complexity seen")
    assert all(row["calendar"]["slots_per_open_day"] > 0 for row in report["horizon"]["rows"])
    assert [r["tenants"] for r in report["memory"]["rows"]] == list(QUICK.tenants)
    for row in report["memory"]["rows"]:
        assert row["day_entries"] == 45 * row["tenants"]
        assert row["rss_kib_indexed"] > 0
        assert row["bytes_per_cached_day"] > 0
        assert row["bytes_per_index"] > 0
    text = table.read_text()
    assert done.stdout == text
    for title in ("Warm search cost against the horizon", "Warm search cost against slots per day", "Cached memory"):
        assert f"### {title}" in text
    assert text.count("Complexity seen") == 3


def test_service_file_reads_back_as_the_same_settings() -> None:
    """The TOML ``altslot serve`` is started with holds exactly the settings the in-process runtime is built from."""
    tree = settings_tree("http://127.0.0.1:8787", 30)
    assert Settings(**tomllib.loads(ServiceFile(tree).toml())) == Settings(**tree)


def test_shape_tells_linear_from_faster_and_slower_growth() -> None:
    """Middle points on, below or above the straight line from the first to the last point decide the verdict."""
    assert shape([(7, 1.0), (14, 1.7), (30, 3.3), (60, 6.3)]).startswith("linear")
    assert shape([(10, 1.0), (50, 2.0), (200, 41.0)]).startswith("faster than linear")
    assert shape([(1, 1.0), (100, 9.0), (1000, 10.0)]).startswith("slower than linear")
    assert shape([(7, 1.0), (60, 0.9)]).startswith("no growth")
