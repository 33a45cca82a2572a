"""prometheus-client's multiprocess mode, so one scrape of ``altslot serve --workers N`` sums every worker.

Each worker writes its values to memory-mapped files in ``$PROMETHEUS_MULTIPROC_DIR``. prometheus-client
decides this when it is first imported, so ``serve`` sets the variable before starting any worker, and
this module must not import prometheus-client itself (``workers`` holds the scrape side). ``serve`` makes
a fresh directory per run and removes it afterwards: files of an earlier run would be added to this
run's counters. With one worker there is nothing to sum: ``serve`` keeps the values in process (no lock
and file write per value, ≈ 6 µs of a warm search's server time) and unsets an inherited variable.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def one_process(environ: MutableMapping[str, str]) -> Iterator[None]:
    """Values kept in this process: ``$PROMETHEUS_MULTIPROC_DIR`` unset for the run, then restored."""
    previous = environ.pop(ENV, None)
    try:
        yield
    finally:
        if previous is not None:
            environ[ENV] = previous


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
