"""prometheus-client's multiprocess mode, so one scrape of ``altslot serve --workers N`` sums every worker.

Each worker writes its values to memory-mapped files in ``$PROMETHEUS_MULTIPROC_DIR`` (prometheus-client
decides this when it is first imported, so ``serve`` sets the variable before starting any worker); the
worker that answers a scrape reads all files. ``serve`` makes a fresh directory per run and removes it
afterwards: files of an earlier run would be added to this one's counters.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

ENV = "PROMETHEUS_MULTIPROC_DIR"
_PID = re.compile(r"_(\d+)\.db$")
# Per-process facts that do not add up over workers: the group's oldest start, its smallest fd limit.
_NOT_SUMMED = {"process_start_time_seconds": min, "process_max_fds": min}


@contextmanager
def metrics_dir(environ: MutableMapping[str, str]) -> Iterator[Path]:
    """A fresh directory for this run's metric files, exported as ``$PROMETHEUS_MULTIPROC_DIR``, then removed."""
    path = Path(tempfile.mkdtemp(prefix="altslot-metrics-"))
    previous = environ.get(ENV)
    environ[ENV] = str(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if previous is None:
            environ.pop(ENV, None)
        else:
            environ[ENV] = previous


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
        workers = GaugeMetricFamily("altslot_worker_processes", "Live worker processes reporting metrics")
        workers.add_metric([], len(pids))
        yield workers


def scrape_registry(path: Path) -> CollectorRegistry:
    """A registry that reads every worker's files (build one per scrape: it holds no values itself)."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(path))  # type: ignore[no-untyped-call]
    registry.register(WorkerProcesses(path))
    return registry


def retire(path: Path) -> None:
    """Drop this process's live gauges (a stopped worker's breaker state must not linger)."""
    mark_process_dead(os.getpid(), str(path))  # type: ignore[no-untyped-call]
