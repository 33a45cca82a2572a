"""The scrape side of multiprocess mode: every worker's files, and the worker processes as one group."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

_PID = re.compile(r"_(\d+)\.db$")
# Per-process facts that do not add up over workers: the group's oldest start, its smallest fd limit.
_NOT_SUMMED = {"process_start_time_seconds": min, "process_max_fds": min}
WORKERS, WORKERS_HELP = "altslot_worker_processes", "Live worker processes reporting metrics"


def check_multiprocess(path: Path) -> None:
    """Fail at start-up, not with empty scrapes, when prometheus-client was imported before the variable was set."""
    if values.ValueClass is values.MutexValue:
        raise RuntimeError(f"metrics: prometheus-client was imported before PROMETHEUS_MULTIPROC_DIR={path} was set")


def worker_pids(path: Path) -> list[int]:
    """The live processes that have written metric files into ``path``."""
    pids = {int(m.group(1)) for f in path.glob("*.db") if (m := _PID.search(f.name))}
    return sorted(pid for pid in pids if Path(f"/proc/{pid}").exists())


class WorkerProcesses(Collector):
    """``process_*`` over the live workers (summed: the group's memory, CPU and open files)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def collect(self) -> Iterable[Metric]:
        pids = worker_pids(self._path)
        families: dict[str, Metric] = {}
        values: dict[str, list[float]] = {}
        for pid in pids:
            for family in ProcessCollector(pid=str(pid).strip, registry=None).collect():
                families.setdefault(family.name, family)
                for sample in family.samples:
                    values.setdefault(sample.name, []).append(sample.value)
        for name, family in families.items():
            merged = Metric(name, family.documentation, family.type)
            for sample in family.samples:
                combine = _NOT_SUMMED.get(sample.name, sum)
                merged.add_sample(sample.name, {}, combine(values[sample.name]))
            yield merged
        workers = GaugeMetricFamily(WORKERS, WORKERS_HELP)
        workers.add_metric([], len(pids))
        yield workers


def scrape_registry(path: Path) -> CollectorRegistry:
    """A registry that reads every worker's files (built per scrape: it holds no values itself)."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(path))  # type: ignore[no-untyped-call]
    registry.register(WorkerProcesses(path))
    return registry


def retire(path: Path) -> None:
    """Drop this process's live gauges (a stopped worker's breaker state must not linger)."""
    mark_process_dead(os.getpid(), str(path))  # type: ignore[no-untyped-call]
