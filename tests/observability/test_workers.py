"""Multiprocess metrics: the per-run directory of ``serve``, and one worker reading the files it writes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from altslot.api.serving import start_in_thread
from altslot.observability.metrics import Metrics
from altslot.observability.multiproc import ENV, metrics_dir
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data
from tests.observability.promtext import value
from tests.support.days import next_weekday
from tests.support.processes import altslot_process
from tests.support.redis_servers import free_port
from tests.support.world import EVENT, TOKEN, salon_data


def test_metrics_dir_is_fresh_exported_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new empty directory per run, named in the environment while it lasts, gone afterwards."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    environ = {ENV: "/somewhere/else"}
    with metrics_dir(environ) as path:
        assert path.is_dir() and not any(path.iterdir())
        assert environ[ENV] == str(path)
        (path / "counter_123.db").write_bytes(b"x")
    assert not path.exists()
    assert environ == {ENV: "/somewhere/else"}


def test_a_metrics_dir_without_multiprocess_values_fails_at_once(tmp_path: Path) -> None:
    """prometheus-client imported before the variable was set would scrape nothing: refuse to start."""
    with pytest.raises(RuntimeError, match="imported before"):
        Metrics(["salon"], multiprocess_dir=str(tmp_path))


def test_serve_with_one_worker_counts_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``altslot serve`` (one worker): searches are counted in process, no metric files, an inherited dir ignored."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    inherited = tmp_path / "inherited"
    inherited.mkdir()
    monkeypatch.setenv(ENV, str(inherited))  # an operator's own: one worker must neither use nor fill it
    with start_in_thread(create_sim(parse_data(salon_data(now=None)))) as sim:
        config = tmp_path / "altslot.toml"
        config.write_text(
            f'[calcom]\nbase_url = "{sim.url}"\n[observability]\nsearch_log_url = ""\n'
            f'[tenants.salon]\ntokens = ["{TOKEN}"]\ncalcom_api_key = "cal_test_salon"\n'
            f'time_zone = "Europe/Berlin"\nevent_types = [{EVENT}]\n'
        )
        port = free_port()
        with altslot_process(["serve", "--config", str(config), "--port", str(port)], port, tmp_path / "log") as url:
            body = {"event_type_id": EVENT, "desired_start": f"{next_weekday(1)}T14:00"}
            headers = {"Authorization": f"Bearer {TOKEN}"}
            for _ in range(3):
                assert httpx.post(f"{url}/api/appointments/alternatives", json=body, headers=headers).is_success
            text = httpx.get(f"{url}/metrics").text
            assert not list(tmp_path.glob("altslot-metrics-*")) and not list(inherited.iterdir())
    assert value(text, "alternative_searches_total", tenant="salon") == 3
    assert value(text, "http_requests_total", route="POST /api/appointments/alternatives", status="200") == 3
    assert value(text, "altslot_worker_processes") == 1
    assert value(text, "process_resident_memory_bytes") > 0
    assert not list(tmp_path.glob("altslot-metrics-*")), "serve left its metrics directory behind"
